// The XDP programs on the NIC against the reference interpreter: the kernel's samples from the
// shared test data (xdp1, xdp2, xdp_adjust_tail, xdp_router_ipv4, xdp_rxq_info,
// xdp_tx_iptunnel, xdp_redirect_map) and nicsim's bundled programs, each with map contents that
// make the interesting paths run, on generated traffic plus hand-made corner cases (truncated
// frames, VLAN tags, ARP, oversized packets). Every program runs in several compiler
// configurations: the default, every pass off one at a time, no pass on a one-lane core, an
// eight-lane core. Every packet must get the same action, bytes and redirect; the maps must
// end the same.

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "ebpf/elf/elf_loader.h"
#include "model/test/xdp_cases.h"

namespace nicsim::model::test {
namespace {

struct Configuration {
  std::string name;
  jit::nic::CompileOptions options;
};

std::vector<Configuration> configurations() {
  std::vector<Configuration> out;
  out.push_back({"default", {}});
  for (jit::nic::Pass pass : jit::nic::all_passes()) {
    jit::nic::CompileOptions o;
    o.set_enabled(pass, false);
    std::string name = "no_" + std::string(jit::nic::pass_name(pass));
    for (char& c : name)
      c = c == '-' ? '_' : c;
    out.push_back({name, o});
  }
  jit::nic::CompileOptions narrow = jit::nic::CompileOptions::unoptimised();
  narrow.lanes = 1;
  narrow.memory_ports = 1;
  out.push_back({"unoptimised_one_lane", narrow});
  jit::nic::CompileOptions wide;
  wide.lanes = 8;
  wide.memory_ports = 4;
  out.push_back({"eight_lanes", wide});
  return out;
}

using Param = std::tuple<ProgramCase, Configuration>;

class XdpDifferential : public ::testing::TestWithParam<Param> {};

TEST_P(XdpDifferential, SameActionsPacketsAndMaps) {
  const auto& [pc, configuration] = GetParam();
  const ebpf::ElfObject object = ebpf::load_elf_file(pc.object);
  const ebpf::Program& program =
      pc.program.empty() ? object.programs.at(0) : object.find_program(pc.program);
  const std::vector<TestPacket> packets = traffic_for_tests();
  const DifferentialTotals totals =
      run_differential(object, program, pc.populate(packets), packets, configuration.options);
  EXPECT_EQ(totals.packets, packets.size());
}

std::string param_name(const ::testing::TestParamInfo<Param>& info) {
  return std::get<0>(info.param).name + "_" + std::get<1>(info.param).name;
}

INSTANTIATE_TEST_SUITE_P(Programs, XdpDifferential,
                         ::testing::Combine(::testing::ValuesIn(program_cases()),
                                            ::testing::ValuesIn(configurations())),
                         param_name);

// The map contents above must make the programs take their interesting paths, or the
// comparison proves little: check what the interpreter does with them.
TEST(XdpDifferentialCoverage, PopulatedMapsReachDeepPaths) {
  const std::vector<TestPacket> packets = traffic_for_tests();
  for (const auto& pc : program_cases()) {
    const ebpf::ElfObject object = ebpf::load_elf_file(pc.object);
    const ebpf::Program& program =
        pc.program.empty() ? object.programs.at(0) : object.find_program(pc.program);
    const DifferentialTotals t =
        run_differential(object, program, pc.populate(packets), packets, {});
    const auto count = [&t](ebpf::XdpAction a) { return t.actions[static_cast<size_t>(a)]; };
    const std::map<std::string, ebpf::XdpAction> expected = {
        {"xdp1", ebpf::XdpAction::Drop},
        {"xdp2", ebpf::XdpAction::Tx},
        {"xdp_adjust_tail", ebpf::XdpAction::Tx},
        {"xdp_router_ipv4", ebpf::XdpAction::Redirect},
        {"xdp_rxq_info", ebpf::XdpAction::Tx},
        {"xdp_tx_iptunnel", ebpf::XdpAction::Tx},
        {"xdp_redirect_map", ebpf::XdpAction::Redirect}};
    if (auto it = expected.find(pc.name); it != expected.end()) {
      EXPECT_GT(count(it->second), 0u) << pc.name;
    }
  }
}

}  // namespace
}  // namespace nicsim::model::test
