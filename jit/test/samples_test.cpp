// Every program of every object in the shared ebpf-samples corpus (Linux samples, Cilium,
// Suricata, OVS, Falco, ...) on the interpreter and on each JIT backend, with the same packets
// (XDP programs) or the same raw memory (others). Where the interpreter refuses a program the
// JIT must refuse it in the same words; where it runs, both must agree on every result, the
// packet and every map. The programs are not verified here, so they run checked.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "ebpf/elf/elf_loader.h"
#include "jit/test/jit_test_support.h"

namespace nicsim::jit::test {
namespace {

// A packet of `size` bytes starting with `header` (zero padding after it).
std::vector<uint8_t> packet(std::initializer_list<uint8_t> header, size_t size) {
  std::vector<uint8_t> bytes(size, 0);
  std::copy(header.begin(), header.end(), bytes.begin());
  return bytes;
}

std::vector<uint8_t> ipv4_tcp_packet() {
  return packet({0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99,
                 0xaa, 0xbb, 0x08, 0x00,                                      // ethernet
                 0x45, 0x00, 0x00, 0x28, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06,  // ipv4
                 0x00, 0x00, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02,
                 0x30, 0x39, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,  // tcp
                 0x00, 0x00, 0x50, 0x02, 0x72, 0x10, 0x00, 0x00, 0x00, 0x00},
                64);
}

std::vector<uint8_t> ipv6_udp_packet() {
  std::vector<uint8_t> bytes = packet({0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                       0x88, 0x99, 0xaa, 0xbb, 0x86, 0xdd,               // ethernet
                                       0x60, 0x00, 0x00, 0x00, 0x00, 0x10, 0x11, 0x40},  // ipv6
                                      78);
  for (size_t i = 0; i < 32; ++i)
    bytes[22 + i] = static_cast<uint8_t>(0x20 + i);  // addresses
  const uint8_t udp[] = {0x04, 0xd2, 0x00, 0x35, 0x00, 0x10, 0x00, 0x00};
  std::copy(std::begin(udp), std::end(udp), bytes.begin() + 54);
  return bytes;
}

std::vector<uint8_t> ipv4_udp_frame() {
  static constexpr uint8_t kHeaders[] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00,
                                         0x00, 0x00, 0x00, 0x01, 0x08, 0x00,  // ethernet
                                         0x45, 0x00, 0x00, 0x2e, 0x00, 0x01, 0x40, 0x00,
                                         0x40, 0x11, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x01,
                                         0xc0, 0xa8, 0x00, 0x02,                           // ipv4
                                         0x30, 0x39, 0x00, 0x35, 0x00, 0x1a, 0x00, 0x00};  // udp
  std::vector<uint8_t> frame(60, 0x5a);
  std::copy(std::begin(kHeaders), std::end(kHeaders), frame.begin());
  return frame;
}

std::vector<uint8_t> ipv6_tcp_frame() {
  std::vector<uint8_t> frame(94, 0);
  const uint8_t ethernet[] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x86, 0xdd};
  std::copy(std::begin(ethernet), std::end(ethernet), frame.begin());
  frame[14] = 0x60;
  frame[19] = 40;  // payload length
  frame[20] = 6;   // TCP
  frame[21] = 64;
  for (size_t i = 0; i < 32; ++i)
    frame[22 + i] = static_cast<uint8_t>(0xfd + i);
  frame[54] = 0x04;
  frame[56] = 0x01;  // ports 1024 -> 443
  frame[57] = 0xbb;
  frame[66] = 0x50;  // data offset 5
  frame[67] = 0x02;  // SYN
  return frame;
}

std::vector<DifferentialInput> inputs_for(const ebpf::Program& program) {
  if (program.type == ebpf::ProgramType::Xdp) {
    return {xdp_input(ipv4_tcp_packet()),  xdp_input(ipv6_udp_packet()),
            xdp_input({0x01, 0x02, 0x03}), xdp_input(ipv4_udp_frame()),
            xdp_input(ipv6_tcp_frame()),   xdp_input(ipv4_tcp_packet())};
  }
  std::vector<uint8_t> memory(256);
  for (size_t i = 0; i < memory.size(); ++i)
    memory[i] = static_cast<uint8_t>(i * 7 + 3);
  return {raw_input(memory), raw_input(std::vector<uint8_t>(256, 0))};
}

std::string error_of(const std::function<void()>& build) {
  try {
    build();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

class JitSamples : public ::testing::TestWithParam<std::string> {};

TEST_P(JitSamples, EveryCorpusProgramAgreesWithTheInterpreter) {
  const JitTarget& target = jit_target(GetParam());
  NICSIM_REQUIRE_RUNNABLE(target);
  const std::filesystem::path corpus = std::filesystem::path(NICSIM_TESTDATA_DIR) / "ebpf-samples";
  std::vector<std::filesystem::path> objects;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(corpus)) {
    if (entry.path().extension() == ".o" && entry.path().parent_path().filename() != "invalid")
      objects.push_back(entry.path());
  }
  std::sort(objects.begin(), objects.end());
  ASSERT_GT(objects.size(), 100u);

  size_t compared = 0, refused_alike = 0;
  for (const auto& path : objects) {
    ebpf::ElfObject object;
    std::unique_ptr<ebpf::Runtime> runtime;
    try {
      object = ebpf::load_elf_file(path.string());
      runtime = std::make_unique<ebpf::Runtime>(object);  // maps nicsim cannot create: not run
    } catch (const std::exception&) {
      continue;
    }
    for (size_t p = 0; p < object.programs.size(); ++p) {
      const std::string where = fmt::format("{} {}", path.lexically_relative(corpus).string(),
                                            object.programs[p].display_name());
      const std::string interpreter_error =
          error_of([&] { ebpf::Interpreter interpreter(object.programs[p], *runtime); });
      const std::string jit_error =
          error_of([&] { target.make(object.programs[p], *runtime, {}, nullptr); });
      if (!interpreter_error.empty()) {
        EXPECT_EQ(jit_error, interpreter_error) << where;
        ++refused_alike;
        continue;
      }
      ASSERT_EQ(jit_error, "") << where;
      const DifferentialReport report = compare_engines(object, p, inputs_for(object.programs[p]),
                                                        interpreter_factory(), jit_factory(target));
      EXPECT_TRUE(report.equal) << where << ": " << report.difference;
      ++compared;
    }
  }
  // The corpus holds hundreds of programs nicsim runs: a loader or runtime regression that
  // left nothing to compare must not pass silently.
  EXPECT_GT(compared, 100u) << "refused alike: " << refused_alike;
  std::cout << target.name << ": compared " << compared << " programs, " << refused_alike
            << " refused alike\n";
}

INSTANTIATE_TEST_SUITE_P(Targets, JitSamples, ::testing::ValuesIn(target_names()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace nicsim::jit::test
