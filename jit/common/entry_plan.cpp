#include "jit/common/entry_plan.h"

#include "ebpf/isa/opcodes.h"
#include "ebpf/runtime/helpers.h"

namespace nicsim::jit {

using namespace ebpf;  // opcode constants

namespace {

// Marks the registers one instruction names, reads implicitly (exit reads r0) or hands to a
// callee (helpers take r1..r5 and define r0).
void scan(const Instruction& insn, EntryPlan& plan) {
  const auto name = [&plan](int reg) {
    if (reg <= kFrameRegister) plan.registers.set(static_cast<size_t>(reg));
  };
  const auto name_call_registers = [&name] {
    for (int reg = 0; reg <= 5; ++reg)
      name(reg);
  };
  switch (insn.cls()) {
    case kClassAlu:
    case kClassAlu64:
      name(insn.dst());
      if (insn.source() == kSrcX) name(insn.src());
      return;
    case kClassJmp:
    case kClassJmp32:
      if (insn.op() == kJmpExit) {
        name(0);
      } else if (insn.op() == kJmpCall) {
        name_call_registers();
        if (insn.source() == kSrcX) {
          name(insn.dst());
          plan.single_function = false;
          plan.may_tail_call = true;  // callx may resolve to bpf_tail_call
        } else if (insn.src() == kCallLocal) {
          plan.single_function = false;
          plan.uses_frame = true;
        } else if (insn.imm == kHelperTailCall) {
          plan.single_function = false;
          plan.may_tail_call = true;
        }
      } else if (insn.op() != kJmpJa) {
        name(insn.dst());
        if (insn.source() == kSrcX) name(insn.src());
      }
      return;
    case kClassLd:
      if (insn.is_lddw()) {
        name(insn.dst());
        if (insn.src() == kLddwFunc) plan.single_function = false;
      } else {
        name(0);  // legacy packet loads define r0
        if (insn.mode() == kModeInd) name(insn.src());
      }
      return;
    case kClassLdx:
      name(insn.dst());
      name(insn.src());
      return;
    case kClassSt:
      name(insn.dst());
      return;
    default:  // STX, atomics (cmpxchg compares with r0)
      name(insn.dst());
      name(insn.src());
      if (insn.mode() == kModeAtomic) name(0);
      return;
  }
}

}  // namespace

EntryPlan plan_entry(const ebpf::Program& program, const ProgramFacts* facts) {
  EntryPlan plan;
  const auto& insns = program.insns;
  for (size_t i = 0; i < insns.size(); i += insns[i].is_lddw() ? 2 : 1) {
    const bool dead = facts != nullptr && i < facts->insns.size() && !facts->insns[i].reachable;
    if (!dead) scan(insns[i], plan);
  }
  if (plan.may_tail_call) plan.registers.set();  // the next program may read any of them
  if (plan.uses(kFrameRegister)) plan.uses_frame = true;
  return plan;
}

}  // namespace nicsim::jit
