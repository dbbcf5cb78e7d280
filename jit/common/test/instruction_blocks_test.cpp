#include "jit/common/instruction_blocks.h"

#include <gtest/gtest.h>

#include <vector>

#include "ebpf/runtime/helpers.h"

namespace nicsim::jit {
namespace {

using namespace ebpf;

Instruction mov(uint8_t dst, int32_t imm) {
  return make_insn(kClassAlu64 | kAluMov, dst, 0, 0, imm);
}
Instruction jeq(uint8_t dst, int32_t imm, int16_t off) {
  return make_insn(kClassJmp | kJmpJeq, dst, 0, off, imm);
}
Instruction exit_insn() {
  return make_insn(kClassJmp | kJmpExit, 0, 0, 0, 0);
}

TEST(InstructionBlocks, BlocksEndAtBranchesTargetsCallsAndExits) {
  const std::vector<Instruction> insns = {
      mov(0, 1),                                                              // 0  block A
      make_insn(kClassLd | kModeImm | kSizeDw, 1, 0, 0, 5),                   // 1  lddw (2 slots)
      make_insn(0, 0, 0, 0, 0),                                               // 2
      jeq(1, 5, 2),                                                           // 3  -> 6; ends A
      mov(0, 2),                                                              // 4  block B
      make_insn(kClassJmp | kJmpCall, 0, kCallHelper, 0, kHelperKtimeGetNs),  // 5 (no end)
      mov(0, 3),                                                              // 6  block C (target)
      make_insn(kClassJmp | kJmpCall, 0, kCallLocal, 0, 1),                 // 7  local call; ends C
      exit_insn(),                                                          // 8  block D
      make_insn(kClassJmp | kJmpCall, 0, kCallHelper, 0, kHelperTailCall),  // 9  E (call target)
      exit_insn(),                                                          // 10 block F
  };
  const BlockPlan plan = plan_blocks(insns);
  const std::vector<bool> leaders = {true, false, false, false, true, false,
                                     true, false, true,  true,  true};
  EXPECT_EQ(plan.leader, leaders);
  EXPECT_EQ(plan.length[0], 3u);  // mov, lddw, jeq: lddw counts once
  EXPECT_EQ(plan.length[4], 2u);
  EXPECT_EQ(plan.length[6], 2u);
  EXPECT_EQ(plan.length[8], 1u);
  EXPECT_EQ(plan.length[9], 1u);
  EXPECT_EQ(plan.remaining_after[0], 2u);
  EXPECT_EQ(plan.remaining_after[1], 1u);
  EXPECT_EQ(plan.remaining_after[3], 0u);
  EXPECT_EQ(plan.remaining_after[4], 1u);
  EXPECT_EQ(plan.block_start[5], 4u);
  EXPECT_EQ(plan.block_start[3], 0u);
  EXPECT_EQ(nth_instruction_of_block(insns, 0, 0), 0u);
  EXPECT_EQ(nth_instruction_of_block(insns, 0, 1), 1u);
  EXPECT_EQ(nth_instruction_of_block(insns, 0, 2), 3u);  // skips the second lddw slot
}

TEST(InstructionBlocks, FunctionAddressTargetsStartBlocks) {
  const std::vector<Instruction> insns = {
      make_insn(kClassLd | kModeImm | kSizeDw, 1, kLddwFunc, 0, 2),  // 0: func at 0 + 2 + 1
      make_insn(0, 0, 0, 0, 0),
      mov(0, 0),  // 2
      mov(0, 1),  // 3: the function
      exit_insn(),
  };
  const BlockPlan plan = plan_blocks(insns);
  EXPECT_TRUE(plan.leader[3]);
  EXPECT_EQ(plan.length[0], 2u);
  EXPECT_EQ(plan.length[3], 2u);
}

}  // namespace
}  // namespace nicsim::jit
