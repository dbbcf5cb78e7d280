// The primitives of the shared translator and the instructions that are a few machine
// instructions each: block charges, exit, lddw, faults, constants.

#include "jit/arm64/a64_translator.h"

#include "jit/common/run_state.h"

namespace nicsim::jit::a64 {

A64Translator::A64Translator(CodeBuffer& code, BranchRelaxer& relaxer,
                             const TranslationInput& input, const HostCallTable& host_calls)
    : Translator(code, input), enc_(code, &relaxer), host_calls_(host_calls) {}

void A64Translator::emit_budget_charge(uint32_t length, Label cold) {
  // A borrow (carry clear) says the budget cannot cover the block.
  if (length <= 0xfff) {
    enc_.emit_addsub_immediate(AddSubOp::Sub, true, Size::X64, kBudgetReg, kBudgetReg, length);
  } else {
    enc_.emit_mov_constant(Size::X64, kScratch1, length);
    enc_.emit_addsub_shifted_register(AddSubOp::Sub, true, Size::X64, kBudgetReg, kBudgetReg,
                                      kScratch1);
  }
  enc_.emit_b_cond(Cond::LO, cold);
}

void A64Translator::emit_exit() {
  // Pops the return address its caller pushed.
  enc_.emit_load_store_immediate_indexed(MemOp::LdrX, Index::PostIndex, kLinkReg, Reg::sp, 16);
  enc_.emit_ret();
}

void A64Translator::emit_lddw_immediate(size_t slot, int dst, uint64_t value) {
  materialize(Size::X64, ebpf_reg(dst), value, slot);
}

void A64Translator::emit_load_address(int dst, uint64_t address) {
  enc_.emit_mov_constant(Size::X64, ebpf_reg(dst), address);
}

void A64Translator::emit_code_address(int dst, Label target) {
  // Position-independent, +-4 GiB.
  enc_.emit_adrp(ebpf_reg(dst), target);
  enc_.emit_add_lo12(ebpf_reg(dst), ebpf_reg(dst), target);
}

void A64Translator::emit_fault(slow_path::FaultKind kind, size_t slot, uint32_t extra) {
  enc_.emit_mov_constant(Size::W32, Reg::x1, static_cast<uint32_t>(kind));
  enc_.emit_mov_constant(Size::W32, Reg::x2, static_cast<uint32_t>(slot));
  enc_.emit_mov_constant(Size::W32, Reg::x3, extra);
  enc_.emit_bl(stub(Stub::Fault));
}

void A64Translator::emit_jump(Label target) {
  enc_.emit_b(target);
}

void A64Translator::emit_stub_call(Label stub) {
  enc_.emit_bl(stub);
}

void A64Translator::emit_return() {
  enc_.emit_ret();
}

void A64Translator::emit_address_to_scratch(int base, int32_t offset) {
  add_offset(kScratch0, ebpf_reg(base), offset);
}

void A64Translator::emit_register_to_scratch(int reg) {
  enc_.emit_mov_register(Size::X64, kScratch0, ebpf_reg(reg));
}

void A64Translator::emit_constant_to_scratch(uint64_t value) {
  enc_.emit_mov_constant(Size::X64, kScratch0, value);
}

void A64Translator::emit_scratch_from_state(int32_t field) {
  enc_.emit_load_store_unsigned_offset(MemOp::LdrX, kScratch0, kStateReg,
                                       static_cast<uint32_t>(field));
}

void A64Translator::emit_r0_from_state(int32_t field) {
  enc_.emit_load_store_unsigned_offset(MemOp::LdrX, ebpf_reg(0), kStateReg,
                                       static_cast<uint32_t>(field));
}

void A64Translator::emit_branch_if_scratch_zero(Label target) {
  enc_.emit_cbz(Size::X64, kScratch0, target);
}

void A64Translator::emit_branch_if_scratch_not(uint32_t value, Label target) {
  enc_.emit_addsub_immediate(AddSubOp::Sub, true, Size::X64, Reg::zr, kScratch0, value);  // cmp
  enc_.emit_b_cond(Cond::NE, target);
}

void A64Translator::emit_jump_to_scratch() {
  enc_.emit_br(kScratch0);
}

void A64Translator::materialize(Size size, Reg rd, uint64_t value, size_t slot) {
  if (!hardening()) {
    enc_.emit_mov_constant(size, rd, value);
    return;
  }
  // Both halves of the key come from this instruction; the value is rebuilt at run time.
  const uint64_t key = (uint64_t{blinding_key(slot + 1)} << 32) | blinding_key(slot);
  enc_.emit_mov_constant(size, rd, value ^ key);
  enc_.emit_mov_constant(size, kScratch3, key);
  enc_.emit_logical_shifted_register(LogicalOp::Eor, false, size, rd, rd, kScratch3);
}

void A64Translator::add_offset(Reg rd, Reg rn, int64_t offset) {
  if (offset >= 0 && offset <= 0xfff) {
    enc_.emit_addsub_immediate(AddSubOp::Add, false, Size::X64, rd, rn,
                               static_cast<uint32_t>(offset));
  } else if (offset < 0 && offset >= -0xfff) {
    enc_.emit_addsub_immediate(AddSubOp::Sub, false, Size::X64, rd, rn,
                               static_cast<uint32_t>(-offset));
  } else {
    enc_.emit_mov_constant(Size::X64, kScratch1, static_cast<uint64_t>(offset));
    enc_.emit_addsub_shifted_register(AddSubOp::Add, false, Size::X64, rd, rn, kScratch1);
  }
}

}  // namespace nicsim::jit::a64
