// The verifier's facts in the compiler's terms (jit/nic/verified.h): what each verifier fact
// becomes, and that compiling a VerifiedProgram uses them and still computes what the
// interpreter computes.
#include "jit/nic/verified.h"

#include <gtest/gtest.h>

#include "jit/nic/test/test_support.h"

namespace nicsim::jit::nic::test {
namespace {

bool conditional(const firmware::Slot& s) {
  return s.op == firmware::OpClass::Branch && s.cond != firmware::Cond::Always;
}

// Two paths join before a second, smaller packet check: on both the range is already 20 bytes.
// A constant branch decides a block dead. An lddw and a stack load for the other facts.
constexpr std::string_view kProgram = R"(
  r2 = *(u32 *)(r1 + 4)
  r1 = *(u32 *)(r1 + 0)
  r3 = r1
  r3 += 20
  if r3 > r2 goto drop
  r0 = *(u8 *)(r1 + 0)
  if r0 == 1 goto other
  r5 = 7
  goto join
other:
  r5 = 9
join:
  r3 = r1
  r3 += 14
  if r3 > r2 goto drop
  r0 = *(u8 *)(r1 + 13)
  r4 = 5
  if r4 == 5 goto keep
  r0 = 3
keep:
  r6 = 0x1122334455667788 ll
  *(u64 *)(r10 - 8) = r6
  r6 = *(u64 *)(r10 - 8)
  r6 &= 3
  r0 += r6
  r0 += r5
  r0 &= 3
  exit
drop:
  r0 = 1
  exit
)";

constexpr size_t kFirstCheck = 4, kJoinCheck = 12, kPacketLoad = 13, kConstantBranch = 15,
                 kDeadMove = 16, kLddw = 17, kStackLoad = 20;

TEST(VerifierFacts, TranslateReachabilityBranchesChecksAndAccesses) {
  const auto object = object_from_asm(kProgram);
  const auto verified = verifier::verify_program(object, object.programs[0]);
  const ProgramFacts facts = facts_from_verifier(verified.facts());
  ASSERT_EQ(facts.insns.size(), object.programs[0].insns.size());
  EXPECT_EQ(facts.source, "verifier");

  // The first check establishes the range both packet loads rely on.
  EXPECT_TRUE(facts.insns[kFirstCheck].bounds_check);
  EXPECT_EQ(facts.insns[kFirstCheck].branch, BranchFact::Unknown);
  EXPECT_FALSE(facts.insns[kConstantBranch].bounds_check);
  EXPECT_EQ(facts.insns[kConstantBranch].branch, BranchFact::AlwaysTaken);
  EXPECT_FALSE(facts.insns[kDeadMove].reachable);
  EXPECT_TRUE(facts.insns[kLddw].reachable);
  EXPECT_TRUE(facts.insns[kLddw + 1].reachable) << "the second slot of lddw goes with the first";

  EXPECT_TRUE(facts.insns[kPacketLoad].access_in_bounds);
  EXPECT_TRUE(facts.insns[5].access_in_bounds);
  EXPECT_FALSE(facts.insns[0].access_in_bounds) << "context loads stay under hardware rules";
  EXPECT_FALSE(facts.insns[kStackLoad].access_in_bounds);
}

TEST(VerifierFacts, CombineWithLocalFactsKeepsEveryFact) {
  const auto object = object_from_asm(kProgram);
  const auto& program = object.programs[0];
  const ProgramFacts from_verifier =
      facts_from_verifier(verifier::verify_program(object, program).facts());
  const ProgramFacts local = local_facts(program);
  const ProgramFacts both = combine_facts(from_verifier, local);
  EXPECT_EQ(both.source, "verifier + local analysis");
  // The local analysis decides the join check (the range is 20 bytes on both paths); the
  // verifier decides the constant branch and the dead block behind it.
  EXPECT_EQ(local.insns[kJoinCheck].branch, BranchFact::NeverTaken);
  EXPECT_TRUE(both.insns[kJoinCheck].bounds_check);
  EXPECT_EQ(both.insns[kJoinCheck].branch, BranchFact::NeverTaken);
  EXPECT_EQ(both.insns[kConstantBranch].branch, BranchFact::AlwaysTaken);
  EXPECT_FALSE(both.insns[kDeadMove].reachable);
  EXPECT_TRUE(both.insns[kPacketLoad].access_in_bounds);
  EXPECT_FALSE(both.insns[0].access_in_bounds);

  ProgramFacts shorter = local;
  shorter.insns.pop_back();
  EXPECT_THROW(combine_facts(from_verifier, shorter), Error);
}

TEST(VerifierFacts, CompileVerifiedProgramUsesThemAndKeepsSemantics) {
  const auto object = object_from_asm(kProgram);
  const auto verified = verifier::verify_program(object, object.programs[0]);
  const CompileResult with = compile(verified);
  EXPECT_EQ(with.report.facts_source, "verifier + local analysis");
  EXPECT_GE(with.report.changes[static_cast<size_t>(Pass::BoundsCheck)], 1u);
  // The first check and the data-dependent branch remain; the join check and the constant
  // branch are gone.
  EXPECT_EQ(count_slots(with.image, conditional), 2u);
  CompileOptions no_bounds;
  no_bounds.no_bounds_check = true;
  EXPECT_GT(count_slots(compile(verified, no_bounds).image, conditional), 2u);

  ebpf::Runtime interp_runtime(object), model_runtime(object);
  ebpf::Interpreter interpreter(object.programs[0], interp_runtime);
  model::ModelEngine model(with.image, model_runtime);
  for (const auto& bytes : {frame_of(10), frame_of(14), frame_of(19), frame_of(20), frame_of(64),
                            frame_of(64, 0x01), frame_of(128, 0xf0)}) {
    ebpf::XdpFrame a(bytes), b(bytes);
    const auto ra = interpreter.run_xdp(a);
    const auto rb = model.run_xdp(b);
    EXPECT_EQ(ra.return_value, rb.return_value) << bytes.size() << " bytes: " << rb.diagnostic;
    EXPECT_EQ(ra.aborted, rb.aborted);
  }
}

}  // namespace
}  // namespace nicsim::jit::nic::test
