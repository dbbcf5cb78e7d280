#include "testbench/fuzz/program_edit.h"

#include <gtest/gtest.h>

#include "ebpf/isa/opcodes.h"

namespace nicsim::fuzz {
namespace {

using namespace ebpf;

Instruction mov(uint8_t dst, int32_t imm) {
  return make_insn(kClassAlu64 | kAluMov | kSrcK, dst, 0, 0, imm);
}
Instruction exit_insn() {
  return make_insn(kClassJmp | kJmpExit, 0, 0, 0, 0);
}

Program program_of(std::vector<Instruction> insns) {
  Program program;
  program.insns = std::move(insns);
  program.functions = {{0, "main"}};
  return program;
}

TEST(EraseInstruction, JumpsOverTheErasedInstructionShrink) {
  // 0: if r1 == 0 goto 3; 1: r0 = 1; 2: r0 = 2; 3: exit; 4: goto -5 (to 0)
  Program program =
      program_of({make_insn(kClassJmp | kJmpJeq | kSrcK, 1, 0, 2, 0), mov(0, 1), mov(0, 2),
                  exit_insn(), make_insn(kClassJmp | kJmpJa, 0, 0, -5, 0)});
  ASSERT_TRUE(erase_instruction(program, 1));
  ASSERT_EQ(program.insns.size(), 4u);
  EXPECT_EQ(program.insns[0].offset, 1);  // still to the exit, now at 2
  EXPECT_EQ(program.insns[1].imm, 2);
  EXPECT_EQ(program.insns[3].offset, -4);  // still to instruction 0
}

TEST(EraseInstruction, AJumpToTheErasedInstructionGoesToTheNextOne) {
  Program program = program_of(
      {make_insn(kClassJmp32 | kJmpJne | kSrcK, 1, 0, 1, 0), mov(0, 1), mov(0, 2), exit_insn()});
  ASSERT_TRUE(erase_instruction(program, 2));
  EXPECT_EQ(program.insns[0].offset, 1);  // the exit, which took the erased slot
  EXPECT_TRUE(program.insns[2].is_exit());
}

TEST(EraseInstruction, LddwGoesWholeAndItsSecondSlotIsNoInstruction) {
  Program program = program_of({make_insn(kClassJmp | kJmpJa, 0, 0, 2, 0),
                                make_insn(kClassLd | kModeImm | kSizeDw, 0, 0, 0, 7),
                                make_insn(0, 0, 0, 0, 9), exit_insn()});
  EXPECT_FALSE(erase_instruction(program, 2));
  EXPECT_EQ(program.insns.size(), 4u);
  ASSERT_TRUE(erase_instruction(program, 1));
  ASSERT_EQ(program.insns.size(), 2u);
  EXPECT_EQ(program.insns[0].offset, 0);
}

TEST(EraseInstruction, LocalCallsAndFunctionStartsFollow) {
  Program program = program_of({make_insn(kClassJmp | kJmpCall, 0, kCallLocal, 0, 2), mov(3, 3),
                                exit_insn(), mov(0, 5), exit_insn()});
  program.functions.emplace_back(3, "callee");
  ASSERT_TRUE(erase_instruction(program, 1));
  EXPECT_EQ(program.insns[0].imm, 1);
  EXPECT_EQ(program.functions[1].first, 2u);
  EXPECT_EQ(program.insns[2].imm, 5);
}

TEST(EraseInstruction, OutOfRangeIsRefused) {
  Program program = program_of({mov(0, 1), exit_insn()});
  EXPECT_FALSE(erase_instruction(program, 2));
}

}  // namespace
}  // namespace nicsim::fuzz
