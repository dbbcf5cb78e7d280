// The verifier's facts in the JITs' terms (jit/common/verified_facts.h), on small programs
// whose facts are known by reading them.

#include "jit/common/verified_facts.h"

#include <gtest/gtest.h>

#include "ebpf/asm/assembler.h"
#include "verifier/test/verify_util.h"
#include "verifier/verifier.h"

namespace nicsim::jit {
namespace {

ProgramFacts facts_of(const char* source, ebpf::ProgramType type = ebpf::ProgramType::Xdp) {
  const ebpf::ElfObject object =
      ebpf::make_single_program_object(ebpf::assemble(source), type, "xdp");
  return facts_from_verifier(verifier::verify_program(object, object.programs[0]));
}

TEST(VerifiedFacts, AccessesGetTheRegionTheirBasePointsTo) {
  const ProgramFacts facts = facts_of(
      "r2 = *(u32 *)(r1 + 0)\n"   // 0: context
      "r3 = *(u32 *)(r1 + 4)\n"   // 1: context
      "r4 = r2\n"                 // 2
      "r4 += 14\n"                // 3
      "if r4 > r3 goto +3\n"      // 4
      "r5 = *(u8 *)(r2 + 13)\n"   // 5: packet, behind the check
      "*(u64 *)(r10 - 8) = r5\n"  // 6: stack
      "r0 = *(u64 *)(r10 - 8)\n"  // 7: stack
      "r0 = 2\n"                  // 8
      "exit");
  ASSERT_EQ(facts.insns.size(), 10u);
  EXPECT_EQ(facts.insns[0].base, PointerKind::Context);
  EXPECT_TRUE(facts.insns[0].access_safe);
  EXPECT_EQ(facts.insns[5].base, PointerKind::Packet);
  EXPECT_TRUE(facts.insns[5].access_safe);
  EXPECT_EQ(facts.insns[6].base, PointerKind::Stack);
  EXPECT_EQ(facts.insns[7].base, PointerKind::Stack);
  EXPECT_EQ(facts.insns[2].base, PointerKind::Unknown);  // not an access
  EXPECT_FALSE(facts.insns[2].access_safe);
}

// run_raw hands other program types raw memory as the context: their context accesses stay
// checked.
TEST(VerifiedFacts, ContextAccessesAreTheXdpContextOnlyForXdp) {
  const ProgramFacts facts =
      facts_of("r0 = *(u32 *)(r1 + 0)\nexit", ebpf::ProgramType::SocketFilter);
  EXPECT_EQ(facts.insns[0].base, PointerKind::Unknown);
  EXPECT_FALSE(facts.insns[0].access_safe);
}

TEST(VerifiedFacts, DecidedBranchesAndDeadCode) {
  const ProgramFacts facts = facts_of(
      "r1 = 5\n"              // 0
      "if r1 == 5 goto +2\n"  // 1: always taken
      "r0 = 1\n"              // 2: dead
      "exit\n"                // 3: dead
      "r0 = 2\n"              // 4
      "exit");
  EXPECT_EQ(facts.insns[1].branch, BranchOutcome::AlwaysTaken);
  EXPECT_FALSE(facts.insns[2].reachable);
  EXPECT_FALSE(facts.insns[3].reachable);
  EXPECT_TRUE(facts.insns[4].reachable);
}

// A zero-extension is left out only when no later instruction reads the upper half: the
// values the verifier saw (an upper half already zero) are not enough, since pruned states
// were not looked at.
TEST(VerifiedFacts, ZeroExtensionRedundantOnlyWhenTheUpperHalfIsNeverRead) {
  const ProgramFacts read = facts_of(
      "r0 = *(u32 *)(r1 + 16)\n"  // 0
      "w0 = w0\n"                 // 1: exit reads all of r0
      "exit");
  EXPECT_FALSE(read.insns[1].zero_extension_redundant);
  const ProgramFacts overwritten = facts_of(
      "r0 = *(u32 *)(r1 + 16)\n"  // 0
      "w0 = w0\n"                 // 1: the upper half is overwritten before any read
      "w0 += 1\n"                 // 2
      "exit");
  EXPECT_TRUE(overwritten.insns[1].zero_extension_redundant);
}

// The second slot of an lddw is reached exactly when its first is.
TEST(VerifiedFacts, LddwSecondSlotsFollowTheirFirst) {
  const ProgramFacts facts = facts_of(
      "r0 = 0x100000000 ll\n"
      "exit");
  ASSERT_EQ(facts.insns.size(), 3u);
  EXPECT_TRUE(facts.insns[0].reachable);
  EXPECT_TRUE(facts.insns[1].reachable);
}

// Reads of uninitialised stack are refused by default, so no run can see what an earlier
// one left on the stack; with allow_uninit_stack that is no longer promised.
TEST(VerifiedFacts, StackReadsAreOfWrittenBytesUnlessUninitialisedReadsAreAllowed) {
  const ebpf::ElfObject object = ebpf::make_single_program_object(
      ebpf::assemble("*(u64 *)(r10 - 8) = 1\nr0 = *(u64 *)(r10 - 8)\nexit"), ebpf::ProgramType::Xdp,
      "xdp");
  EXPECT_TRUE(facts_from_verifier(verifier::verify_program(object, object.programs[0]))
                  .reads_only_written_stack);
  verifier::VerifierOptions options;
  options.allow_uninit_stack = true;
  EXPECT_FALSE(facts_from_verifier(verifier::verify_program(object, object.programs[0], options))
                   .reads_only_written_stack);
  EXPECT_FALSE(ProgramFacts{}.reads_only_written_stack);  // hand-made facts promise nothing
}

// A helper call knows its map when r1 held the same map pointer on every path reaching it.
TEST(VerifiedFacts, HelperCallsKnowTheirMapWhenEveryPathAgrees) {
  ebpf::ElfObject object =
      ebpf::make_single_program_object(ebpf::assemble("*(u32 *)(r10 - 4) = 0\n"   // 0
                                                      "r6 = *(u32 *)(r1 + 16)\n"  // 1
                                                      "r1 = map[id:1]\n"          // 2
                                                      "r2 = r10\n"                // 4
                                                      "r2 += -4\n"                // 5
                                                      "call 1\n"                  // 6
                                                      "r1 = map[id:1]\n"          // 7
                                                      "if r6 > 5 goto +2\n"       // 9
                                                      "r1 = map[id:0]\n"          // 10
                                                      "r2 = r10\n"                // 12
                                                      "r2 += -4\n"                // 13
                                                      "call 1\n"                  // 14
                                                      "call 5\n"                  // 15
                                                      "r0 = 2\n"
                                                      "exit"),
                                       ebpf::ProgramType::Xdp, "xdp");
  for (const char* name : {"a", "b"})
    object.maps.push_back(verifier::testing::array_map(name, 8, 2));
  const ProgramFacts facts =
      facts_from_verifier(verifier::verify_program(object, object.programs[0]));
  EXPECT_EQ(facts.insns[6].helper_map, 1);    // map 1 on the only path
  EXPECT_EQ(facts.insns[14].helper_map, -1);  // map 1 or map 0
  EXPECT_EQ(facts.insns[15].helper_map, -1);  // no map argument
  EXPECT_EQ(facts.insns[5].helper_map, -1);   // not a call
}

// The key of a lookup reaches the JITs as the verifier bounded it: a constant stored in the
// call's block, or the range of the register stored there.
TEST(VerifiedFacts, LookupKeysCarryTheVerifiersRange) {
  ebpf::ElfObject object =
      ebpf::make_single_program_object(ebpf::assemble("r9 = r1\n"                 // 0
                                                      "*(u32 *)(r10 - 4) = 7\n"   // 1
                                                      "r2 = r10\n"                // 2
                                                      "r2 += -4\n"                // 3
                                                      "r1 = map[id:0]\n"          // 4
                                                      "call 1\n"                  // 6
                                                      "r6 = *(u32 *)(r9 + 16)\n"  // 7
                                                      "r6 &= 15\n"                // 8
                                                      "*(u32 *)(r10 - 8) = r6\n"  // 9
                                                      "r2 = r10\n"                // 10
                                                      "r2 += -8\n"                // 11
                                                      "r1 = map[id:0]\n"          // 12
                                                      "call 1\n"                  // 14
                                                      "r0 = 2\n"
                                                      "exit"),
                                       ebpf::ProgramType::Xdp, "xdp");
  object.maps.push_back(verifier::testing::array_map("a", 8, 4));
  const ProgramFacts facts =
      facts_from_verifier(verifier::verify_program(object, object.programs[0]));
  ASSERT_TRUE(facts.insns[6].lookup_key.has_value());
  EXPECT_EQ(facts.insns[6].lookup_key->min, 7u);
  EXPECT_EQ(facts.insns[6].lookup_key->max, 7u);
  ASSERT_TRUE(facts.insns[14].lookup_key.has_value());
  EXPECT_EQ(facts.insns[14].lookup_key->min, 0u);
  EXPECT_EQ(facts.insns[14].lookup_key->max, 15u);
  EXPECT_FALSE(facts.insns[7].lookup_key.has_value());  // not a call
}

}  // namespace
}  // namespace nicsim::jit
