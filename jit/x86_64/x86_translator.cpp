#include "jit/x86_64/x86_translator.h"

#include <fmt/format.h>

#include "jit/common/jit_error.h"
#include "jit/common/run_state.h"

namespace nicsim::jit::x86 {

using namespace ebpf;  // opcode constants

X86Translator::X86Translator(CodeBuffer& code, BranchRelaxer& relaxer, const Program& program,
                             Runtime& runtime, const JitOptions& options, const ProgramFacts* facts,
                             const BlockPlan& blocks)
    : code_(code),
      enc_(code, &relaxer),
      program_(program),
      runtime_(runtime),
      options_(options),
      facts_(facts),
      blocks_(blocks),
      counting_(options.mode == SafetyMode::Checked),
      tracking_(options.mode == SafetyMode::Checked),
      blinding_seed_(options.blinding_seed) {
  const size_t n = program.insns.size();
  insn_labels_.reserve(n);
  for (size_t i = 0; i < n; ++i)
    insn_labels_.push_back(code_.new_label());
  insn_offsets_.assign(n, 0);
  second_slots_.assign(n, false);
  for (size_t i = 0; i < n; i += program.insns[i].is_lddw() ? 2 : 1) {
    if (program.insns[i].is_lddw() && i + 1 < n) second_slots_[i + 1] = true;
  }
  leave_ = code_.new_label();
  epilogue_ = code_.new_label();
  if (options.mode == SafetyMode::Verified && facts != nullptr) {
    // Accesses the verifier did not prove safe are checked, which needs the live stack range.
    for (size_t i = 0; i < n; ++i) {
      const Insn& insn = program.insns[i];
      const bool memory =
          insn.cls() == kClassLdx || insn.cls() == kClassSt || insn.cls() == kClassStx;
      if (memory && i < facts->insns.size() && facts->insns[i].reachable &&
          !facts->insns[i].access_safe && facts->insns[i].base != PointerKind::Context)
        tracking_ = true;
    }
  }
}

void X86Translator::emit_program() {
  emit_entry_trampoline();
  const auto& insns = program_.insns;
  for (size_t i = 0; i < insns.size(); i += insns[i].is_lddw() ? 2 : 1) {
    code_.bind(insn_labels_[i]);
    insn_offsets_[i] = static_cast<uint32_t>(code_.size());
    if (insns[i].is_lddw() && i + 1 < insns.size()) {
      insn_offsets_[i + 1] = insn_offsets_[i];
      code_.bind(insn_labels_[i + 1]);  // never a target (validated), bound for completeness
    }
    if (counting_ && blocks_.leader[i]) charge_block(i);
    translate(i);
  }
  // Falling off the end of the program is a fault, not a jump into the stubs.
  size_t last = 0;
  for (size_t i = 0; i < insns.size(); i += insns[i].is_lddw() ? 2 : 1)
    last = i;
  if (!insns.empty() && !insns[last].is_exit() && !insns[last].is_unconditional_jump())
    emit_fault(slow_path::FaultKind::EndOfProgram, insns.size(), 0);
  instructions_end_ = static_cast<uint32_t>(code_.size());
  emit_cold_paths();
  emit_stubs();  // last: the cold paths call the fault stub
}

void X86Translator::charge_block(size_t slot) {
  // A block is charged in full on entry; the borrow says the budget cannot cover it.
  enc_.alu_mem_imm(AluOp::Sub, Width::W64, Mem{kStateReg, run_state::kBudgetLeft},
                   static_cast<int32_t>(blocks_.length[slot]));
  const Label cold = code_.new_label();
  cold_paths_.push_back(ColdPath{cold, slow_path::FaultKind::Budget, static_cast<uint32_t>(slot),
                                 blocks_.length[slot]});
  enc_.jcc(Cond::B, cold);
}

void X86Translator::translate(size_t slot) {
  const Insn& insn = program_.insns[slot];
  switch (insn.cls()) {
    case kClassAlu:
    case kClassAlu64:
      translate_alu(slot, insn);
      return;
    case kClassJmp:
    case kClassJmp32:
      if (insn.op() == kJmpCall) {
        if (insn.source() == kSrcX) {
          translate_callx(slot, insn);
        } else {
          translate_call(slot, insn);
        }
      } else if (insn.op() == kJmpExit) {
        enc_.ret();
      } else {
        translate_jump(slot, insn);
      }
      return;
    case kClassLd:
      if (insn.is_lddw()) {
        translate_lddw(slot, insn);
      } else {
        translate_legacy_load(insn);
      }
      return;
    case kClassLdx:
      translate_load(slot, insn);
      return;
    case kClassSt:
      translate_store(slot, insn);
      return;
    default:  // STX
      if (insn.mode() == kModeAtomic) {
        translate_atomic(slot, insn);
      } else {
        translate_store(slot, insn);
      }
      return;
  }
}

void X86Translator::emit_fault(slow_path::FaultKind kind, size_t slot, uint32_t extra) {
  enc_.mov_reg_imm32(Reg::rsi, static_cast<uint32_t>(kind));
  enc_.mov_reg_imm32(Reg::rdx, static_cast<uint32_t>(slot));
  enc_.mov_reg_imm32(Reg::rcx, extra);
  if (!fault_stub_.valid()) fault_stub_ = code_.new_label();
  enc_.call(fault_stub_);
}

}  // namespace nicsim::jit::x86
