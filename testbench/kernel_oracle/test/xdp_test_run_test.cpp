// The kernel as an execution oracle: the benchmark suite (bench/engines: the bundled XDP
// programs and the corpus's Linux XDP samples, each with its traffic and map contents) and the
// kernel XDP samples built from linux-source run on the same 64-byte packets with the same map
// contents in nicsim's interpreter and in the kernel (BPF_PROG_TEST_RUN); every packet must end
// with the same action and the same bytes, and the maps with the same entries.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "bench/engines/bench_programs.h"
#include "ebpf/elf/elf_loader.h"
#include "ebpf/interp/interpreter.h"
#include "testbench/kernel_oracle/kernel_program.h"
#include "testbench/kernel_oracle/map_transfer.h"
#include "testbench/kernel_oracle/test/kernel_test_support.h"
#include "testbench/traffic/generator.h"
#include "testbench/traffic/traffic_spec.h"

namespace nicsim::bench {
void PrintTo(const BenchProgram& program, std::ostream* os) {
  *os << program.name;
}
}  // namespace nicsim::bench

namespace nicsim::kernel_oracle {
namespace {

namespace fs = std::filesystem;

std::vector<bench::BenchProgram> programs() {
  std::vector<bench::BenchProgram> all;
  for (auto& p : bench::bench_programs()) {
    if (!p.object.empty()) all.push_back(p);
  }
  for (const char* sample : {"xdp_adjust_tail", "xdp_fwd", "xdp_tx_iptunnel", "xdp_router_ipv4"}) {
    all.push_back({std::string("kernel/") + sample,
                   std::string(NICSIM_KERNEL_PROGRAMS_DIR) + "/" + sample + ".o",
                   "ip=4,proto=mix,size=64,flows=64,packets=1024",
                   "",
                   {}});
  }
  return all;
}

std::string test_name(const bench::BenchProgram& p) {
  std::string name = p.name;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

// nicsim's clock and random numbers are its own: values derived from them differ.
MapComparison map_comparison(const ebpf::Program& program) {
  constexpr int32_t kKtimeGetNs = 5, kGetPrandomU32 = 7, kKtimeGetBootNs = 125,
                    kKtimeGetCoarseNs = 160, kKtimeGetTaiNs = 208;
  for (const ebpf::Instruction& insn : program.insns) {
    if (!insn.is_helper_call()) continue;
    for (int32_t helper :
         {kKtimeGetNs, kGetPrandomU32, kKtimeGetBootNs, kKtimeGetCoarseNs, kKtimeGetTaiNs}) {
      if (insn.imm == helper) return MapComparison::KeysOnly;
    }
  }
  return MapComparison::KeysAndValues;
}

class XdpTestRun : public ::testing::TestWithParam<bench::BenchProgram> {
 protected:
  void SetUp() override { NICSIM_SKIP_WITHOUT_KERNEL(); }
};

TEST_P(XdpTestRun, KernelAndInterpreterAgreeOnEveryPacket) {
  const bench::BenchProgram& p = GetParam();
  if (!fs::exists(p.object)) {
    if (p.name.starts_with("kernel/") && !NICSIM_KERNEL_SAMPLES_BUILT) {
      GTEST_SKIP() << "the kernel XDP samples were not built (no linux-source tarball)";
    }
    FAIL() << p.object << " does not exist";
  }
  const ebpf::ElfObject object = ebpf::load_elf_file(p.object);
  const ebpf::Program* entry =
      p.program.empty() ? &object.programs.front() : &object.find_program(p.program);
  ebpf::Runtime runtime(object);
  const auto packets = traffic::generate_traffic(traffic::parse_traffic_spec(p.traffic));
  if (p.populate) p.populate(runtime, packets);
  KernelLoadOptions options;
  options.program_type = ebpf::ProgramType::Xdp;
  const KernelProgram kernel = KernelProgram::load(object, *entry, options);
  ASSERT_TRUE(kernel.loaded()) << kernel.result().first_error << kernel.result().setup_error;
  const MapTransferReport transfer = copy_map_contents(runtime, kernel);
  for (const auto& skipped : transfer.skipped) {
    // Devmap entries name interfaces of this machine.
    if (skipped.find("No such device") != std::string::npos) {
      GTEST_SKIP() << "this machine lacks an interface the map contents name: " << skipped;
    }
    EXPECT_NE(skipped.find("contents are not copied"), std::string::npos) << skipped;
  }

  ebpf::Interpreter interpreter(*entry, runtime);
  size_t differences = 0;
  for (size_t i = 0; i < packets.size() && differences < 5; ++i) {
    ebpf::XdpFrame frame(packets[i].bytes, packets[i].ingress_ifindex, packets[i].rx_queue_index);
    const ebpf::ExecutionResult ours = interpreter.run_xdp(frame);
    const KernelTestRun theirs = kernel.test_run_xdp(packets[i].bytes);
    const auto action = static_cast<uint32_t>(ebpf::xdp_action_of(ours));
    const auto out = frame.packet();
    const std::vector<uint8_t> ours_packet(out.begin(), out.end());
    if (action != theirs.return_value || ours_packet != theirs.packet) ++differences;
    EXPECT_EQ(action, theirs.return_value) << "packet " << i << " " << ours.diagnostic;
    EXPECT_EQ(ours_packet, theirs.packet) << "packet " << i;
  }
  for (const std::string& difference :
       compare_map_contents(runtime, kernel, map_comparison(*entry)))
    ADD_FAILURE() << difference;
}

INSTANTIATE_TEST_SUITE_P(Programs, XdpTestRun, ::testing::ValuesIn(programs()),
                         [](const auto& info) { return test_name(info.param); });

}  // namespace
}  // namespace nicsim::kernel_oracle
