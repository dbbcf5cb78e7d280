// Where states are compared (the kernel's prune points) and what a continuation's precision
// reaches back to. Each relaxation that lets more states be pruned has two tests: a program
// whose second path is now pruned, and one whose second path is unsafe and must still be
// explored (a wrong pruning would accept it).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ebpf/asm/assembler.h"
#include "verifier/analysis/cfg.h"
#include "verifier/test/verify_util.h"

namespace nicsim::verifier {
namespace {

using ebpf::ProgramType;
using ::testing::HasSubstr;
using testing::verdict;
using testing::verify_source;

VerificationResult check(std::string_view source) {
  VerifierOptions options;
  options.checkpoint_every_prune_point = true;
  return verify_source(source, ProgramType::Xdp, {}, options);
}

std::vector<int32_t> prune_points(std::string_view source) {
  const auto insns = ebpf::assemble(source);
  const auto cfg = ControlFlow::build(insns, {}, CfgOptions{});
  std::vector<int32_t> points;
  for (int32_t i = 0; i < static_cast<int32_t>(insns.size()); ++i) {
    if (cfg.is_prune_point(i)) points.push_back(i);
  }
  return points;
}

TEST(PrunePoints, AreTheKernels) {
  // The kernel compares states at a conditional jump itself (one comparison for both of
  // its sides), at every jump target and at every call's return site, helpers included;
  // not at the fall-through of a conditional jump.
  const auto points = prune_points(
      "r6 = *(u32 *)(r1 + 12)\n"  // 0
      "if r6 == 1 goto set\n"     // 1: conditional jump
      "r7 = 1\n"                  // 2: fall-through
      "goto join\n"               // 3
      "set:\n"
      "r7 = 2\n"  // 4: jump target
      "join:\n"
      "call 5\n"  // 5: jump target
      "r0 = 2\n"  // 6: return site of a helper call
      "exit");
  EXPECT_THAT(points, ::testing::ElementsAre(0, 1, 4, 5, 6));
}

// Two paths reach `join` with a narrow (2-byte) spill at fp-8 holding 0 on the first path
// and 8 on the second; the slot's other six bytes hold an unknown number on both.
constexpr std::string_view kNarrowSpills =
    "r6 = *(u32 *)(r1 + 12)\n"
    "*(u64 *)(r10 - 8) = r6\n"
    "r7 = 0\n"
    "if r6 == 1 goto set\n"
    "*(u16 *)(r10 - 8) = r7\n"
    "goto join\n"
    "set:\n"
    "r7 = 8\n"
    "*(u16 *)(r10 - 8) = r7\n"
    "join:\n"
    "r7 = 0\n";

TEST(PrecisionBacktracking, ReadingDataBytesBesideASpillNeedsNoPrecision) {
  // The bounded offset comes from byte fp-4, not from the spilled register: the spilled
  // values may differ, and the second path is pruned at the join (the kernel links a load
  // to a slot only when it restores the spilled register).
  const auto r = check(testing::join(kNarrowSpills,
                                     "r2 = *(u8 *)(r10 - 4)\n"
                                     "r2 &= 7\n"
                                     "r3 = r10\nr3 += -16\nr3 += r2\n"
                                     "r4 = 0\n*(u8 *)(r3 + 0) = r4\n"
                                     "r0 = 2\nexit"));
  ASSERT_EQ(verdict(r), "");
  EXPECT_GE(r.stats.states_pruned, 1U);
}

TEST(PrecisionBacktracking, AFillFromANarrowSpillIsStillPrecise) {
  // The offset is the spilled register itself: fp-8 + 0 is inside the frame, fp-8 + 8 is
  // not. The second path must not be pruned.
  const auto r = check(testing::join(kNarrowSpills,
                                     "r2 = *(u16 *)(r10 - 8)\n"
                                     "r3 = r10\nr3 += -8\nr3 += r2\n"
                                     "r4 = 0\n*(u8 *)(r3 + 0) = r4\n"
                                     "r0 = 2\nexit"));
  EXPECT_THAT(verdict(r), HasSubstr("invalid write to stack R3 off=0 size=1"));
}

TEST(PrecisionBacktracking, ANarrowSpillReplacesTheSlotsValue) {
  // The precise value at the end comes from the 2-byte spill of r8, the same on both paths;
  // the earlier full spill of r7 (0 or 8) is overwritten and must not block pruning at the
  // join.
  const auto r = check(
      "r6 = *(u32 *)(r1 + 12)\n"
      "r7 = 0\n"
      "if r6 == 1 goto set\n"
      "goto join\n"
      "set:\n"
      "r7 = 8\n"
      "join:\n"
      "*(u64 *)(r10 - 8) = r7\n"
      "r8 = 0\n"
      "*(u16 *)(r10 - 8) = r8\n"
      "r2 = *(u16 *)(r10 - 8)\n"
      "r3 = r10\nr3 += -8\nr3 += r2\n"
      "r4 = 0\n*(u8 *)(r3 + 0) = r4\n"
      "r0 = 2\nexit");
  ASSERT_EQ(verdict(r), "");
  EXPECT_GE(r.stats.states_pruned, 1U);
}

TEST(PrecisionBacktracking, ANarrowSpillOfTheDifferingValueIsPrecise) {
  // As above, but the 2-byte spill is of r7 itself (0 or 8): the second path must not be
  // pruned.
  const auto r = check(
      "r6 = *(u32 *)(r1 + 12)\n"
      "r7 = 0\n"
      "if r6 == 1 goto set\n"
      "goto join\n"
      "set:\n"
      "r7 = 8\n"
      "join:\n"
      "*(u64 *)(r10 - 8) = r6\n"
      "*(u16 *)(r10 - 8) = r7\n"
      "r2 = *(u16 *)(r10 - 8)\n"
      "r3 = r10\nr3 += -8\nr3 += r2\n"
      "r4 = 0\n*(u8 *)(r3 + 0) = r4\n"
      "r0 = 2\nexit");
  EXPECT_THAT(verdict(r), HasSubstr("invalid write to stack R3 off=0 size=1"));
}

TEST(PrecisionBacktracking, VariableOffsetReadOfZeroBytesStaysExact) {
  // A variable-offset read gives zero only where every byte it may read is zero; the value
  // depends on the bytes, which pruning compares exactly. First path: zeros, second: a
  // number, which then decides a branch towards an uninitialised read.
  const auto r = check(
      "r6 = *(u32 *)(r1 + 12)\n"
      "r7 = 0\n"
      "*(u64 *)(r10 - 8) = r7\n"
      "*(u64 *)(r10 - 16) = r7\n"
      "if r6 == 1 goto set\n"
      "goto join\n"
      "set:\n"
      "*(u32 *)(r10 - 12) = r6\n"
      "join:\n"
      "r6 &= 7\n"
      "r2 = r10\nr2 += -16\nr2 += r6\n"
      "r3 = *(u8 *)(r2 + 0)\n"
      "if r3 == 0 goto out\n"
      "r0 = *(u64 *)(r10 - 24)\n"
      "exit\n"
      "out:\n"
      "r0 = 2\nexit");
  EXPECT_THAT(verdict(r), HasSubstr("invalid read from stack off -24+0 size 8"));
}

TEST(PrunePoints, AConditionalJumpComparesBeforeBranching) {
  // The join is the conditional jump itself; r7 decides it, and is 0 on the first path and
  // 8 on the second, which reads uninitialised stack.
  const auto r = check(
      "r6 = *(u32 *)(r1 + 12)\n"
      "r7 = 0\n"
      "if r6 == 1 goto set\n"
      "goto join\n"
      "set:\n"
      "r7 = 8\n"
      "join:\n"
      "if r7 == 0 goto out\n"
      "r0 = *(u64 *)(r10 - 8)\n"
      "exit\n"
      "out:\n"
      "r0 = 2\nexit");
  EXPECT_THAT(verdict(r), HasSubstr("invalid read from stack off -8+0 size 8"));
}

TEST(PrunePoints, AHelpersReturnSiteKeepsCalleeSavedRegisters) {
  // Both paths call a helper; r7 (callee-saved) differs across the call and is then used
  // as a stack offset.
  const auto r = check(
      "r6 = *(u32 *)(r1 + 12)\n"
      "r7 = 0\n"
      "if r6 == 1 goto set\n"
      "call 5\n"
      "goto use\n"
      "set:\n"
      "r7 = 8\n"
      "call 5\n"
      "use:\n"
      "r2 = r10\nr2 += -8\nr2 += r7\n"
      "r3 = 0\n*(u8 *)(r2 + 0) = r3\n"
      "r0 = 2\nexit");
  EXPECT_THAT(verdict(r), HasSubstr("invalid write to stack R2 off=0 size=1"));
}

}  // namespace
}  // namespace nicsim::verifier
