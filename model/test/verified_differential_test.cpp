// The XDP programs compiled from the verifier's VerifiedProgram, with the verifier's facts in
// place of (and combined with) the compiler's local analysis, on the model against the
// interpreter: the facts must never make the compiler change what a program does. Also checks
// that the facts reach the compiler (the report names them) and that the two sources of facts
// never contradict each other.

#include <gtest/gtest.h>

#include "ebpf/elf/elf_loader.h"
#include "jit/nic/verified.h"
#include "model/test/xdp_cases.h"
#include "verifier/verifier.h"

namespace nicsim::model::test {
namespace {

struct Shape {
  std::string name;
  jit::nic::CompileOptions options;
};

std::vector<Shape> shapes() {
  jit::nic::CompileOptions wide;
  wide.lanes = 8;
  wide.memory_ports = 4;
  jit::nic::CompileOptions no_local_cleanup;
  no_local_cleanup.no_dead_code = true;
  return {{"default", {}}, {"eight_lanes", wide}, {"no_dead_code", no_local_cleanup}};
}

using Param = std::tuple<ProgramCase, Shape>;

class VerifiedDifferential : public ::testing::TestWithParam<Param> {};

TEST_P(VerifiedDifferential, SameActionsPacketsAndMaps) {
  const auto& [pc, shape] = GetParam();
  const ebpf::ElfObject object = ebpf::load_elf_file(pc.object);
  const ebpf::Program& program =
      pc.program.empty() ? object.programs.at(0) : object.find_program(pc.program);
  const verifier::VerifiedProgram verified = verifier::verify_program(object, program);
  // The verifier's facts alone (so that nothing of the local analysis masks a wrong one), then
  // combined as compile(VerifiedProgram) combines them.
  const jit::nic::ProgramFacts facts = jit::nic::facts_from_verifier(verified.facts());
  ASSERT_EQ(facts.insns.size(), program.insns.size());
  const jit::nic::ProgramFacts combined =
      jit::nic::combine_facts(facts, jit::nic::local_facts(program));
  EXPECT_EQ(jit::nic::compile(verified, shape.options).report.facts_source,
            "verifier + local analysis");

  const std::vector<TestPacket> packets = traffic_for_tests();
  const DifferentialTotals totals =
      run_differential(object, program, pc.populate(packets), packets, shape.options, {}, &facts);
  EXPECT_EQ(totals.packets, packets.size());
}

std::string param_name(const ::testing::TestParamInfo<Param>& info) {
  return std::get<0>(info.param).name + "_" + std::get<1>(info.param).name;
}

INSTANTIATE_TEST_SUITE_P(Programs, VerifiedDifferential,
                         ::testing::Combine(::testing::ValuesIn(program_cases()),
                                            ::testing::ValuesIn(shapes())),
                         param_name);

// The two sources must never contradict each other: a branch both decide, they decide alike;
// an access the local analysis proves in bounds goes through a packet pointer for the verifier
// too; what the local analysis finds unreachable, the verifier never reached.
TEST(VerifiedFacts, AgreeWithTheLocalAnalysis) {
  for (const auto& pc : program_cases()) {
    const ebpf::ElfObject object = ebpf::load_elf_file(pc.object);
    const ebpf::Program& program =
        pc.program.empty() ? object.programs.at(0) : object.find_program(pc.program);
    const jit::nic::ProgramFacts local = jit::nic::local_facts(program);
    const jit::nic::ProgramFacts from_verifier =
        jit::nic::facts_from_verifier(verifier::verify_program(object, program).facts());
    for (size_t i = 0; i < program.insns.size(); ++i) {
      const auto& l = local.insns[i];
      const auto& v = from_verifier.insns[i];
      if (l.branch != jit::nic::BranchFact::Unknown && v.branch != jit::nic::BranchFact::Unknown) {
        EXPECT_EQ(v.branch, l.branch) << pc.name << " instruction " << i;
      }
      if (l.access_in_bounds) {
        EXPECT_TRUE(v.access_in_bounds) << pc.name << " instruction " << i;
      }
      if (!l.reachable) {
        EXPECT_FALSE(v.reachable) << pc.name << " instruction " << i;
      }
    }
  }
}

}  // namespace
}  // namespace nicsim::model::test
