// The XDP programs on the RTL core in lockstep with the model: the kernel's samples and the
// bundled programs (with the map contents that make their interesting paths run), on generated
// traffic plus corner-case frames, every packet queued at once so that all contexts interleave.
// Then a bounded set of the real-world objects in ebpf-samples: every XDP program the NIC
// compiler accepts, with empty maps.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "ebpf/elf/elf_loader.h"
#include "ebpf/util/error.h"
#include "jit/nic/compiler.h"
#include "model/suite/program_suite.h"
#include "testbench/lockstep/lockstep.h"
#include "testbench/traffic/generator.h"
#include "testbench/traffic/traffic_spec.h"

namespace nicsim::lockstep {
namespace {

const std::string kSamples = std::string(NICSIM_TESTDATA_DIR) + "/ebpf-samples/linux";
const std::string kCorpus = std::string(NICSIM_TESTDATA_DIR) + "/ebpf-samples";

std::vector<traffic::Packet> generated(const std::string& spec) {
  return traffic::generate_traffic(traffic::parse_traffic_spec(spec));
}

std::vector<traffic::Packet> test_traffic() {
  auto packets =
      generated("ip=mix,proto=mix,size=80-900,flows=12,packets=24,dst=192.168.0.0/28,seed=11");
  const auto base = generated("ip=4,proto=udp,size=98,flows=1,packets=1,dst=192.168.0.3/32")[0];
  for (size_t n : {0, 14, 20, 34, 42}) {
    traffic::Packet cut = base;
    cut.bytes.resize(n);
    packets.push_back(cut);
  }
  packets.push_back({.bytes = base.bytes, .ingress_ifindex = 2, .rx_queue_index = 3});
  return packets;
}

// Every packet queued at cycle 0, each engine on its own copy of the frames.
LockstepResult run_batch(const firmware::Image& image, ebpf::Runtime& model_runtime,
                         ebpf::Runtime& rtl_runtime, const std::vector<traffic::Packet>& packets) {
  std::vector<std::unique_ptr<ebpf::XdpFrame>> frames;
  std::vector<LockstepPacket> lock;
  uint64_t now = 1'000'000'000;
  for (const auto& p : packets) {
    frames.push_back(
        std::make_unique<ebpf::XdpFrame>(p.bytes, p.ingress_ifindex, p.rx_queue_index));
    frames.push_back(
        std::make_unique<ebpf::XdpFrame>(p.bytes, p.ingress_ifindex, p.rx_queue_index));
    lock.push_back({frames[frames.size() - 2].get(), frames.back().get(), 0, now});
    now += 1000;
  }
  return run_lockstep(image, model_runtime, rtl_runtime, lock);
}

struct Shape {
  std::string name;
  jit::nic::CompileOptions options;
};

std::vector<Shape> shapes() {
  jit::nic::CompileOptions narrow = jit::nic::CompileOptions::unoptimised();
  narrow.lanes = 1;
  narrow.memory_ports = 1;
  return {{"default", {}}, {"unoptimised_one_lane", narrow}};
}

using Param = std::tuple<model::suite::SuiteProgram, Shape>;

void PrintTo(const Shape& shape, std::ostream* os) {
  *os << shape.name;
}

class XdpLockstep : public ::testing::TestWithParam<Param> {};

TEST_P(XdpLockstep, ModelAndRtlAgreeEveryCycle) {
  const auto& [sp, shape] = GetParam();
  const ebpf::ElfObject object = ebpf::load_elf_file(sp.object);
  const ebpf::Program& program =
      sp.program.empty() ? object.programs.at(0) : object.find_program(sp.program);
  const auto packets = test_traffic();
  ebpf::Runtime model_runtime(object);
  ebpf::Runtime rtl_runtime(object);
  if (sp.populate) {
    sp.populate(model_runtime, packets);
    sp.populate(rtl_runtime, packets);
  }
  const firmware::Image image = jit::nic::compile(program, object, shape.options).image;
  const LockstepResult result = run_batch(image, model_runtime, rtl_runtime, packets);
  EXPECT_FALSE(result.diverged) << sp.name << "\n" << result.report;
  EXPECT_EQ(result.rtl_outcomes.size(), packets.size());
  EXPECT_GE(result.bundles, packets.size());  // at least the exit bundle of each packet
  EXPECT_GT(result.register_writes, 0u);
}

std::string param_name(const ::testing::TestParamInfo<Param>& info) {
  std::string name = std::get<0>(info.param).name + "_" + std::get<1>(info.param).name;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Programs, XdpLockstep,
                         ::testing::Combine(::testing::ValuesIn(model::suite::suite_programs(
                                                kSamples, NICSIM_PROGRAMS_DIR)),
                                            ::testing::ValuesIn(shapes())),
                         param_name);

// Longer traffic arriving at staggered cycles, so that idle cycles, partly occupied contexts and
// packets dispatched while others run all occur (the batch runs above queue everything at 0).
TEST(XdpLockstepStaggered, EveryProgramOnLongTraffic) {
  const auto packets =
      generated("ip=mix,proto=mix,size=80-1500,flows=32,packets=240,dst=192.168.0.0/28,seed=23");
  size_t ran = 0;
  for (const auto& sp : model::suite::suite_programs(kSamples, NICSIM_PROGRAMS_DIR)) {
    const ebpf::ElfObject object = ebpf::load_elf_file(sp.object);
    const ebpf::Program& program =
        sp.program.empty() ? object.programs.at(0) : object.find_program(sp.program);
    ebpf::Runtime model_runtime(object);
    ebpf::Runtime rtl_runtime(object);
    if (sp.populate) {
      sp.populate(model_runtime, packets);
      sp.populate(rtl_runtime, packets);
    }
    const firmware::Image image = jit::nic::compile(program, object).image;
    std::vector<std::unique_ptr<ebpf::XdpFrame>> frames;
    std::vector<LockstepPacket> lock;
    uint64_t arrival = 0;
    uint32_t lcg = 12345;  // gaps of 0..63 cycles, the same for every program
    for (const auto& p : packets) {
      lcg = lcg * 1103515245u + 12345u;
      arrival += (lcg >> 16) % 64;
      for (int side = 0; side < 2; ++side)
        frames.push_back(
            std::make_unique<ebpf::XdpFrame>(p.bytes, p.ingress_ifindex, p.rx_queue_index));
      lock.push_back({frames[frames.size() - 2].get(), frames.back().get(), arrival,
                      1'000'000'000 + arrival * 4});
    }
    const LockstepResult result = run_lockstep(image, model_runtime, rtl_runtime, lock);
    EXPECT_FALSE(result.diverged) << sp.name << "\n" << result.report;
    EXPECT_EQ(result.rtl_outcomes.size(), packets.size()) << sp.name;
    EXPECT_GT(result.cycles, arrival) << sp.name;
    ++ran;
  }
  EXPECT_GE(ran, 10u);
}

// The harness must see a divergence when there is one: the same program on different packet
// bytes takes different paths on the two sides.
TEST(LockstepHarness, ReportsTheFirstDivergence) {
  const auto programs = model::suite::suite_programs(kSamples, NICSIM_PROGRAMS_DIR);
  const auto it = std::find_if(programs.begin(), programs.end(),
                               [](const auto& p) { return p.name == "xdp1"; });
  ASSERT_NE(it, programs.end());
  const ebpf::ElfObject object = ebpf::load_elf_file(it->object);
  const firmware::Image image = jit::nic::compile(object.programs.at(0), object).image;
  ebpf::Runtime model_runtime(object);
  ebpf::Runtime rtl_runtime(object);
  const auto udp = generated("ip=4,proto=udp,size=98,flows=1,packets=1")[0].bytes;
  std::vector<uint8_t> arp(60, 0xab);
  arp[12] = 0x08, arp[13] = 0x06;
  ebpf::XdpFrame model_frame(udp);
  ebpf::XdpFrame rtl_frame(arp);
  const LockstepPacket packet{&model_frame, &rtl_frame, 0, 0};
  const LockstepResult result =
      run_lockstep(image, model_runtime, rtl_runtime, std::span(&packet, 1));
  ASSERT_TRUE(result.diverged);
  EXPECT_NE(result.report.find("lockstep divergence in cycle"), std::string::npos) << result.report;
  EXPECT_NE(result.report.find("model:"), std::string::npos);
  EXPECT_NE(result.report.find("rtl:"), std::string::npos);
}

// A bounded set of real-world objects: every XDP program of ebpf-samples that the NIC compiler
// accepts, on a few packets with empty maps.
std::vector<std::string> corpus_objects() {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kCorpus)) {
    const std::string path = entry.path().string();
    if (entry.is_regular_file() && entry.path().extension() == ".o" &&
        path.find("/invalid/") == std::string::npos)
      out.push_back(path);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(XdpCorpusLockstep, AcceptedProgramsAgreeEveryCycle) {
  const auto packets = generated("ip=mix,proto=mix,size=80-400,flows=4,packets=8,seed=5");
  size_t ran = 0;
  for (const std::string& path : corpus_objects()) {
    ebpf::ElfObject object;
    try {
      object = ebpf::load_elf_file(path);
    } catch (const Error&) {
      continue;  // objects the loader refuses are the ELF loader's tests' concern
    }
    for (const ebpf::Program& program : object.programs) {
      if (program.type != ebpf::ProgramType::Xdp) continue;
      firmware::Image image;
      try {
        image = jit::nic::compile(program, object).image;
      } catch (const Error&) {
        continue;  // refused (unsupported helper, map type...): nothing to run
      }
      ebpf::Runtime model_runtime(object);
      ebpf::Runtime rtl_runtime(object);
      const LockstepResult result = run_batch(image, model_runtime, rtl_runtime, packets);
      EXPECT_FALSE(result.diverged) << path << " " << program.display_name() << "\n"
                                    << result.report;
      ++ran;
    }
  }
  RecordProperty("programs", static_cast<int>(ran));
  EXPECT_GE(ran, 10u);  // the corpus holds dozens of XDP programs the NIC accepts
}

}  // namespace
}  // namespace nicsim::lockstep

namespace nicsim::model::suite {
// Test listings name the program rather than dumping its bytes.
void PrintTo(const SuiteProgram& program, std::ostream* os) {
  *os << program.name;
}
}  // namespace nicsim::model::suite
