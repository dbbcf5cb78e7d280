// The bundled XDP programs (bench/programs) and the Linux kernel's XDP samples built beside
// them must verify; and, accepted, must run in the interpreter — with their default map
// contents, on generated packets and on packets aimed at those contents — without a
// memory-safety diagnostic. One test case per object. Skipped, saying why, when the objects
// were not built (no bench/programs target, or no linux-source tarball for the samples).

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "ebpf/elf/elf_loader.h"
#include "ebpf/interp/interpreter.h"
#include "ebpf/runtime/map_json.h"
#include "ebpf/runtime/runtime.h"
#include "verifier/test/generated_packets.h"
#include "verifier/verifier.h"

#ifndef NICSIM_PROGRAMS_DIR
#define NICSIM_PROGRAMS_DIR ""
#define NICSIM_KERNEL_PROGRAMS_DIR ""
#define NICSIM_KERNEL_SAMPLES_BUILT 0
#endif

namespace nicsim::verifier {
namespace {

namespace fs = std::filesystem;

struct BundledObject {
  bool kernel_sample = false;
  std::string name;
  size_t programs = 1;  // XDP programs the object holds
};

void PrintTo(const BundledObject& o, std::ostream* os) {
  *os << (o.kernel_sample ? "kernel/" : "") << o.name;
}

const std::vector<BundledObject>& objects() {
  static const std::vector<BundledObject> all = {
      {false, "xdp_drop"},        {false, "xdp_tx"},          {false, "xdp_firewall"},
      {false, "xdp_router_ipv4"}, {false, "xdp_tunnel_ipip"}, {false, "xdp_load_balancer"},
      {true, "xdp_adjust_tail"},  {true, "xdp_fwd", 2},       {true, "xdp_tx_iptunnel"},
      {true, "xdp_router_ipv4"},
  };
  return all;
}

// IPv4 packets whose destination (and, for TCP/UDP, destination port) are among the
// addresses the default map contents name, so that the programs take their forwarding,
// rewriting and encapsulating paths and not only their drop/pass ones.
std::vector<std::vector<uint8_t>> packets_for_map_contents() {
  const uint32_t destinations[] = {0xc0a80005, 0xc0a80105, 0x0a000001, 0xc6336401,
                                   0x0a640001, 0x0a640002, 0x08080808};
  const uint8_t protocols[] = {6, 17, 1};
  const uint16_t ports[] = {80, 53, 443};
  std::vector<std::vector<uint8_t>> packets;
  uint32_t seed = 7;
  for (uint32_t dst : destinations) {
    for (uint8_t protocol : protocols) {
      for (uint16_t port : ports) {
        for (size_t payload : {0, 1, 200}) {
          std::vector<uint8_t> p(14 + 20 + 8 + payload);
          for (auto& b : p) {
            seed = seed * 1103515245 + 12345;
            b = static_cast<uint8_t>(seed >> 16);
          }
          p[12] = 0x08;
          p[13] = 0x00;
          uint8_t* ip = p.data() + 14;
          ip[0] = 0x45;
          ip[1] = 0;
          const auto total = static_cast<uint16_t>(p.size() - 14);
          ip[2] = static_cast<uint8_t>(total >> 8);
          ip[3] = static_cast<uint8_t>(total);
          ip[6] = 0;
          ip[7] = 0;
          ip[8] = 64;
          ip[9] = protocol;
          for (int i = 0; i < 4; ++i)
            ip[16 + i] = static_cast<uint8_t>(dst >> (24 - 8 * i));
          ip[22] = static_cast<uint8_t>(port >> 8);
          ip[23] = static_cast<uint8_t>(port);
          packets.push_back(p);
        }
      }
    }
  }
  return packets;
}

class BundledPrograms : public ::testing::TestWithParam<BundledObject> {};

TEST_P(BundledPrograms, VerifyAndRunWithoutMemoryFaults) {
  const BundledObject& o = GetParam();
  const std::string directory = o.kernel_sample ? NICSIM_KERNEL_PROGRAMS_DIR : NICSIM_PROGRAMS_DIR;
  if (directory.empty()) GTEST_SKIP() << "the bench/programs objects are not part of this build";
  if (o.kernel_sample && !NICSIM_KERNEL_SAMPLES_BUILT) {
    GTEST_SKIP() << "the kernel XDP samples were not built (no linux-source tarball)";
  }
  const std::string path = directory + "/" + o.name + ".o";
  ASSERT_TRUE(fs::exists(path)) << path << " is missing: build target nicsim_bpf_programs";

  const ebpf::ElfObject object = ebpf::load_elf_file(path);
  ebpf::Runtime runtime(object);
  const std::string maps_path = directory + "/" + o.name + ".maps.json";
  if (fs::exists(maps_path)) {
    std::ifstream in(maps_path);
    ebpf::load_map_contents(runtime, nlohmann::json::parse(in), maps_path);
  }
  auto packets = testing::generated_packets();
  for (auto& p : packets_for_map_contents())
    packets.push_back(std::move(p));

  size_t verified = 0;
  for (const ebpf::Program& program : object.programs) {
    if (program.type != ebpf::ProgramType::Xdp) continue;
    const VerificationResult r = verify(object, program);
    ASSERT_TRUE(r.accepted) << program.display_name() << ": " << r.error->to_string();
    EXPECT_EQ(r.program_type, ebpf::ProgramType::Xdp);
    EXPECT_TRUE(r.exit_reachable);
    EXPECT_LT(r.stats.seconds, 1.0);
    ++verified;

    ebpf::Interpreter interpreter(program, runtime);
    for (const auto& packet : packets) {
      ebpf::XdpFrame frame(packet);
      const ebpf::ExecutionResult result = interpreter.run_xdp(frame);
      EXPECT_FALSE(result.aborted) << program.display_name() << " on a " << packet.size()
                                   << "-byte packet: " << result.diagnostic;
    }
  }
  EXPECT_EQ(verified, o.programs);
}

INSTANTIATE_TEST_SUITE_P(Objects, BundledPrograms, ::testing::ValuesIn(objects()),
                         [](const ::testing::TestParamInfo<BundledObject>& info) {
                           return fmt::format("{}{}", info.param.kernel_sample ? "kernel_" : "",
                                              info.param.name);
                         });

}  // namespace
}  // namespace nicsim::verifier
