#include "jit/common/entry_plan.h"

#include <gtest/gtest.h>

#include <vector>

#include "ebpf/runtime/helpers.h"

namespace nicsim::jit {
namespace {

using namespace ebpf;

Instruction mov_imm(uint8_t dst, int32_t imm) {
  return make_insn(kClassAlu64 | kAluMov, dst, 0, 0, imm);
}
Instruction mov_reg(uint8_t dst, uint8_t src) {
  return make_insn(kClassAlu64 | kSrcX | kAluMov, dst, src, 0, 0);
}
Instruction exit_insn() {
  return make_insn(kClassJmp | kJmpExit, 0, 0, 0, 0);
}
Instruction helper_call(int32_t id) {
  return make_insn(kClassJmp | kJmpCall, 0, kCallHelper, 0, id);
}

EntryPlan plan_of(std::vector<Instruction> insns, const ProgramFacts* facts = nullptr) {
  Program program;
  program.insns = std::move(insns);
  return plan_entry(program, facts);
}

TEST(EntryPlan, NamesOnlyTheRegistersInstructionsUse) {
  // r0 = 2; exit: the return register and nothing else, no frame, one function.
  const EntryPlan plan = plan_of({mov_imm(0, 2), exit_insn()});
  EXPECT_EQ(plan.registers.to_ulong(), 1u);
  EXPECT_FALSE(plan.uses_frame);
  EXPECT_TRUE(plan.single_function);
  EXPECT_FALSE(plan.may_tail_call);
}

TEST(EntryPlan, SourceRegistersOfImmediateFormsAreNotNamed) {
  // The src field of an immediate ALU operation and of an lddw (its pseudo kind) is no register.
  const EntryPlan plan = plan_of({make_insn(kClassAlu64 | kAluAdd, 7, 6, 0, 1),
                                  make_insn(kClassLd | kModeImm | kSizeDw, 8, kLddwMapFd, 0, 0),
                                  make_insn(0, 0, 0, 0, 0), mov_imm(0, 0), exit_insn()});
  EXPECT_TRUE(plan.uses(7));
  EXPECT_TRUE(plan.uses(8));
  EXPECT_FALSE(plan.uses(6));
  EXPECT_FALSE(plan.uses(1));
}

TEST(EntryPlan, TheFramePointerNeedsTheFrame) {
  const EntryPlan plan = plan_of(
      {make_insn(kClassStx | kModeMem | kSizeDw, 10, 6, -8, 0), mov_reg(0, 6), exit_insn()});
  EXPECT_TRUE(plan.uses_frame);
  EXPECT_TRUE(plan.uses(6));
  EXPECT_TRUE(plan.uses(10));
  EXPECT_TRUE(plan.single_function);
}

TEST(EntryPlan, HelperCallsNameTheirArgumentsAndResult) {
  const EntryPlan plan = plan_of({helper_call(kHelperKtimeGetNs), exit_insn()});
  for (int reg = 0; reg <= 5; ++reg)
    EXPECT_TRUE(plan.uses(reg)) << "r" << reg;
  EXPECT_FALSE(plan.uses(6));
  EXPECT_TRUE(plan.single_function);
}

TEST(EntryPlan, LocalCallsMakeSeveralFunctionsThatMoveTheFrame) {
  const EntryPlan plan = plan_of({make_insn(kClassJmp | kJmpCall, 0, kCallLocal, 0, 1), exit_insn(),
                                  mov_imm(0, 1), exit_insn()});
  EXPECT_FALSE(plan.single_function);
  EXPECT_TRUE(plan.uses_frame);
  EXPECT_FALSE(plan.may_tail_call);
}

TEST(EntryPlan, FunctionAddressesMakeSeveralFunctions) {
  const EntryPlan plan = plan_of({make_insn(kClassLd | kModeImm | kSizeDw, 2, kLddwFunc, 0, 1),
                                  make_insn(0, 0, 0, 0, 0), mov_imm(0, 0), exit_insn()});
  EXPECT_FALSE(plan.single_function);
}

TEST(EntryPlan, TailCallsAndCallxHandEveryRegisterOn) {
  for (const Instruction& call :
       {helper_call(kHelperTailCall), make_insn(kClassJmp | kSrcX | kJmpCall, 2, 0, 0, 0)}) {
    const EntryPlan plan = plan_of({call, mov_imm(0, 0), exit_insn()});
    EXPECT_TRUE(plan.may_tail_call);
    EXPECT_FALSE(plan.single_function);
    EXPECT_TRUE(plan.registers.all());
    EXPECT_TRUE(plan.uses_frame);
  }
}

TEST(EntryPlan, UnreachableInstructionsDoNotCount) {
  ProgramFacts facts;
  facts.insns.resize(3);
  facts.insns[1].reachable = false;
  const EntryPlan plan = plan_of({mov_imm(0, 0), mov_reg(9, 10), exit_insn()}, &facts);
  EXPECT_FALSE(plan.uses(9));
  EXPECT_FALSE(plan.uses_frame);
  EXPECT_TRUE(plan_of({mov_imm(0, 0), mov_reg(9, 10), exit_insn()}).uses_frame);
}

}  // namespace
}  // namespace nicsim::jit
