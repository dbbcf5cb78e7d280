// The primitives of the shared translator and the instructions that are a few machine
// instructions each: block charges, exit, lddw, faults.

#include "jit/x86_64/x86_translator.h"

#include "jit/common/run_state.h"

namespace nicsim::jit::x86 {

X86Translator::X86Translator(CodeBuffer& code, BranchRelaxer& relaxer,
                             const TranslationInput& input)
    : Translator(code, input, /*can_enter_directly=*/true), enc_(code, &relaxer) {}

void X86Translator::emit_budget_charge(uint32_t length, Label cold) {
  // The borrow says the budget cannot cover the block.
  enc_.alu_mem_imm(AluOp::Sub, Width::W64, Mem{kStateReg, run_state::kBudgetLeft},
                   static_cast<int32_t>(length));
  enc_.jcc(Cond::B, cold);
}

void X86Translator::emit_lddw_immediate(size_t slot, int dst, uint64_t value) {
  if (!hardening()) {
    enc_.load_constant(ebpf_reg(dst), value);
    return;
  }
  const uint64_t key = (uint64_t{blinding_key(slot + 1)} << 32) | blinding_key(slot);
  enc_.movabs_reg_imm64(ebpf_reg(dst), value ^ key);
  enc_.movabs_reg_imm64(kScratch0, key);
  enc_.alu_reg_reg(AluOp::Xor, Width::W64, ebpf_reg(dst), kScratch0);
}

void X86Translator::emit_load_address(int dst, uint64_t address) {
  enc_.load_constant(ebpf_reg(dst), address);
}

void X86Translator::emit_code_address(int dst, Label target) {
  enc_.movabs_reg_label(ebpf_reg(dst), target);
}

void X86Translator::emit_fault(slow_path::FaultKind kind, size_t slot, uint32_t extra) {
  enc_.mov_reg_imm32(Reg::rsi, static_cast<uint32_t>(kind));
  enc_.mov_reg_imm32(Reg::rdx, static_cast<uint32_t>(slot));
  enc_.mov_reg_imm32(Reg::rcx, extra);
  enc_.call(stub(Stub::Fault));
}

void X86Translator::emit_jump(Label target) {
  enc_.jmp(target);
}

void X86Translator::emit_stub_call(Label stub) {
  enc_.call(stub);
}

void X86Translator::emit_return() {
  enc_.ret();
}

void X86Translator::emit_address_to_scratch(int base, int32_t offset) {
  enc_.lea(kScratch0, Mem{ebpf_reg(base), offset});
}

void X86Translator::emit_register_to_scratch(int reg) {
  enc_.mov_reg_reg(Width::W64, kScratch0, ebpf_reg(reg));
}

void X86Translator::emit_constant_to_scratch(uint64_t value) {
  enc_.movabs_reg_imm64(kScratch0, value);
}

void X86Translator::emit_scratch_from_state(int32_t field) {
  enc_.load(Width::W64, kScratch0, Mem{kStateReg, field});
}

void X86Translator::emit_r0_from_state(int32_t field) {
  enc_.load(Width::W64, Reg::rax, Mem{kStateReg, field});
}

void X86Translator::emit_branch_if_scratch_zero(Label target) {
  enc_.test_reg_reg(Width::W64, kScratch0, kScratch0);
  enc_.jcc(Cond::E, target);
}

void X86Translator::emit_branch_if_scratch_not(uint32_t value, Label target) {
  enc_.alu_reg_imm(AluOp::Cmp, Width::W32, kScratch0, static_cast<int32_t>(value));
  enc_.jcc(Cond::NE, target);
}

void X86Translator::emit_jump_to_scratch() {
  enc_.jmp_reg(kScratch0);
}

}  // namespace nicsim::jit::x86
