// State pruning must never hide an unsafe path. Each program below has two paths reaching
// a join point with different values; the first explored one is safe, the second is not.
// If the first one's checkpoint wrongly included the second state, the program would be
// accepted. Checkpoints are taken at every prune point so that pruning is attempted.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "verifier/test/verify_util.h"

namespace nicsim::verifier {
namespace {

using ebpf::ProgramType;
using ::testing::HasSubstr;
using testing::verdict;
using testing::verify_source;

VerifierOptions eager() {
  VerifierOptions options;
  options.checkpoint_every_prune_point = true;
  return options;
}

VerificationResult check(std::string_view source) {
  return verify_source(source, ProgramType::Xdp, {}, eager());
}

// r7 is 0 on the fall-through path (explored first) and 8 on the jump.
constexpr std::string_view kTwoValues =
    "r6 = *(u32 *)(r1 + 12)\n"
    "r7 = 0\n"
    "if r6 == 1 goto set\n"
    "goto join\n"
    "set:\n"
    "r7 = 8\n"
    "join:\n";

TEST(Pruning, SafePathsArePruned) {
  // r7 does not matter after the join: the second path is pruned, not explored again.
  const auto r = check(testing::join(kTwoValues, "r0 = 2\nexit"));
  ASSERT_EQ(verdict(r), "");
  EXPECT_GE(r.stats.states_pruned, 1U);
}

TEST(Pruning, ScalarUsedInPointerArithmeticIsPrecise) {
  const auto r = check(testing::join(kTwoValues,
                                     "r2 = r10\nr2 += -8\nr2 += r7\n"
                                     "r3 = 0\n*(u64 *)(r2 + 0) = r3\nr0 = 2\nexit"));
  EXPECT_THAT(verdict(r), HasSubstr("invalid write to stack R2 off=0 size=8"));
}

TEST(Pruning, PrecisionFollowsASpillAndFill) {
  const auto r = check(testing::join(
      "r6 = *(u32 *)(r1 + 12)\nr7 = 0\nif r6 == 1 goto set\ngoto spill\nset:\nr7 = 8\n"
      "spill:\n*(u64 *)(r10 - 16) = r7\nr7 = 0\nr0 = 0\n",
      "join:\nr8 = *(u64 *)(r10 - 16)\nr2 = r10\nr2 += -8\nr2 += r8\n"
      "r3 = 0\n*(u64 *)(r2 + 0) = r3\nr0 = 2\nexit"));
  EXPECT_THAT(verdict(r), HasSubstr("invalid write to stack R2 off=0 size=8"));
}

TEST(Pruning, PrecisionFollowsACallArgument) {
  const auto r = check(testing::join(kTwoValues,
                                     "r1 = r7\ncall f\nr0 = 2\nexit\n"
                                     "f:\nr2 = r10\nr2 += -8\nr2 += r1\n"
                                     "r3 = 0\n*(u64 *)(r2 + 0) = r3\nr0 = 0\nexit"));
  EXPECT_THAT(verdict(r), HasSubstr("invalid write to stack R2 off=0 size=8"));
}

TEST(Pruning, PrecisionFollowsLinkedRegisters) {
  // r2 is a copy of r6; the comparison with r9 bounds both. r9 is 0 or 16 depending on the
  // path, and decides whether r10 - 16 + r2 can reach the frame's top.
  const auto r = check(
      "r6 = *(u32 *)(r1 + 12)\n"
      "r9 = 0\n"
      "r5 = *(u32 *)(r1 + 16)\n"
      "if r5 == 1 goto set\n"
      "goto join\n"
      "set:\n"
      "r9 = 16\n"
      "join:\n"
      "r2 = r6\n"
      "if r6 > r9 goto out\n"
      "r3 = r10\n"
      "r3 += -16\n"
      "r3 += r2\n"
      "r4 = 0\n"
      "*(u8 *)(r3 + 0) = r4\n"
      "out:\n"
      "r0 = 2\n"
      "exit");
  EXPECT_THAT(verdict(r), HasSubstr("invalid variable-offset write to stack R3"));
}

TEST(Pruning, DecidedBranchMakesTheComparedValuePrecise) {
  // On the first path r7 == 0 decides the branch towards the safe exit; with r7 == 8 the
  // other branch, reading uninitialised stack, is reachable.
  const auto r = check(testing::join(kTwoValues,
                                     "if r7 == 0 goto out\n"
                                     "r0 = *(u64 *)(r10 - 8)\n"
                                     "exit\n"
                                     "out:\nr0 = 2\nexit"));
  EXPECT_THAT(verdict(r), HasSubstr("invalid read from stack off -8+0 size 8"));
}

TEST(Pruning, StackSlotTypesMustMatch) {
  // A spilled context pointer on one path, a number on the other; the slot is then used
  // as a pointer.
  const auto r = check(
      "r6 = *(u32 *)(r1 + 12)\n"
      "*(u64 *)(r10 - 8) = r1\n"
      "if r6 == 1 goto set\n"
      "goto join\n"
      "set:\n"
      "r2 = 5\n"
      "*(u64 *)(r10 - 8) = r2\n"
      "join:\n"
      "r3 = *(u64 *)(r10 - 8)\n"
      "r0 = *(u32 *)(r3 + 12)\n"
      "exit");
  EXPECT_EQ(verdict(r), "insn 7: R3 invalid mem access 'scalar'");
}

TEST(Pruning, NullnessMustMatch) {
  // A checked map value on one path, an unchecked one on the other.
  const std::vector maps = {testing::array_map("values", 8)};
  const auto r = verify_source(
      "r6 = *(u32 *)(r1 + 12)\n"
      "r1 = 0\n*(u32 *)(r10 - 4) = r1\nr2 = r10\nr2 += -4\nr1 = map_fd 0\ncall 1\n"
      "if r6 == 1 goto join\n"
      "if r0 == 0 goto out\n"
      "join:\n"
      "r0 = *(u64 *)(r0 + 0)\n"
      "out:\n"
      "r0 = 2\n"
      "exit",
      ProgramType::Xdp, maps, eager());
  EXPECT_EQ(verdict(r), "insn 10: R0 invalid mem access 'map_value_or_null'");
}

TEST(Pruning, PacketRangeMustCover) {
  // One path proves 14 bytes, the other 8; the join reads byte 12.
  const auto r = check(
      "r2 = *(u32 *)(r1 + 0)\n"
      "r3 = *(u32 *)(r1 + 4)\n"
      "r6 = *(u32 *)(r1 + 12)\n"
      "r4 = r2\n"
      "if r6 == 1 goto short\n"
      "r4 += 14\n"
      "if r4 > r3 goto out\n"
      "goto join\n"
      "short:\n"
      "r4 += 8\n"
      "if r4 > r3 goto out\n"
      "join:\n"
      "r0 = *(u8 *)(r2 + 12)\n"
      "out:\n"
      "r0 = 2\n"
      "exit");
  EXPECT_THAT(verdict(r), HasSubstr("invalid access to packet, off=12 size=1"));
}

}  // namespace
}  // namespace nicsim::verifier
