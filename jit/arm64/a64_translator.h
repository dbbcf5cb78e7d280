#pragma once
// eBPF -> AArch64: the machine code of one translation pass (jit/common/translator.h walks the
// program and lays out the cold paths and stubs).
//
// Generated code keeps the eBPF registers in machine registers (a64_registers.h), x28 points
// at the NativeRunState, x26 holds the instruction budget, x9 is the scratch register of the
// shared conventions, and every eBPF function (the program and its bpf-to-bpf callees) is
// entered with its return address pushed on the native stack (16 bytes, keeping sp aligned), as
// x86's call does, and its exit pops it and returns: x30 is then free for the BL to stubs
// anywhere in eBPF code. A caller saves r6..r9 and moves r10 down by one 512-byte frame.

#include <cstdint>

#include "jit/arm64/a64_encoder.h"
#include "jit/arm64/a64_host_calls.h"
#include "jit/common/branch_relaxation.h"
#include "jit/common/code_buffer.h"
#include "jit/common/translator.h"

namespace nicsim::jit::a64 {

class A64Translator final : public Translator {
 public:
  A64Translator(CodeBuffer& code, BranchRelaxer& relaxer, const TranslationInput& input,
                const HostCallTable& host_calls);

 private:
  // --- instructions (a64_translator.cpp) ---
  void emit_budget_charge(uint32_t length, Label cold) override;
  void emit_exit() override;
  void emit_lddw_immediate(size_t slot, int dst, uint64_t value) override;
  void emit_load_address(int dst, uint64_t address) override;
  void emit_code_address(int dst, Label target) override;
  void emit_fault(slow_path::FaultKind kind, size_t slot, uint32_t extra) override;
  void emit_jump(Label target) override;
  void emit_stub_call(Label stub) override;
  void emit_return() override;
  void emit_address_to_scratch(int base, int32_t offset) override;
  void emit_register_to_scratch(int reg) override;
  void emit_constant_to_scratch(uint64_t value) override;
  void emit_scratch_from_state(int32_t field) override;
  void emit_r0_from_state(int32_t field) override;
  void emit_branch_if_scratch_zero(Label target) override;
  void emit_branch_if_scratch_not(uint32_t value, Label target) override;
  void emit_jump_to_scratch() override;
  // Rd = value, blinded when hardening (the value as written never appears in the code).
  void materialize(Size size, Reg rd, uint64_t value, size_t slot);
  // Rd = Rn + offset (64-bit), through kScratch1 when the offset needs more than 12 bits.
  void add_offset(Reg rd, Reg rn, int64_t offset);

  // --- ALU (a64_translate_alu.cpp) ---
  void translate_alu(size_t slot, const Insn& insn) override;
  void translate_addsub_imm(size_t slot, const Insn& insn);
  void translate_logical_imm(size_t slot, const Insn& insn, LogicalOp op);
  void translate_mov(const Insn& insn);
  void translate_shift(const Insn& insn);
  void translate_divmod(size_t slot, const Insn& insn);
  void translate_endian(const Insn& insn);
  // The source operand in a register: src, or the immediate in kScratch0 (sign-extended to
  // 64 bits for ALU64, zero-extended from 32 bits for ALU).
  Reg source_operand(size_t slot, const Insn& insn);

  // --- memory (a64_translate_memory.cpp) ---
  void emit_plain_load(int dst, int base, int32_t offset, int size, bool sign_extend) override;
  void emit_checked_load_result(int dst, int size, bool sign_extend) override;
  void emit_store(size_t slot, const Insn& insn, bool direct) override;
  void emit_atomic(size_t slot, const Insn& insn, bool direct) override;
  void emit_atomic_body(const Insn& insn, Size size, bool exclusive);
  void translate_legacy_load(const Insn& insn) override;
  // A plain machine access of `op` to [base + offset] (any eBPF offset).
  void emit_access(MemOp op, Reg rt, Reg base, int32_t offset);

  // --- control flow (a64_translate_control.cpp) ---
  void emit_conditional_jump(size_t slot, const Insn& insn, Label target) override;
  void emit_local_call(size_t slot, Label target, bool indirect) override;

  // --- stubs (a64_stubs.cpp) ---
  void emit_prologue() override;
  void emit_leave_path() override;
  void emit_range_check(int32_t range_field, int size, Label miss) override;
  void emit_load_stub_hit(int size, bool sign_extend) override;
  void emit_load_stub_slow(int size, bool sign_extend) override;
  void emit_store_stub_slow(int size) override;
  void emit_check_status_and_return() override;
  void emit_helper_stub() override;
  void emit_tail_call_stub() override;
  void emit_callx_stub() override;
  void emit_legacy_stub() override;
  void emit_fault_stub() override;
  void call_host(HostCall call);
  // Around a C call: x29/x30, r1..r5, r0 and x9 on the native stack; restoring leaves out r0
  // and x9 when they carry the stub's result.
  void save_for_host_call();
  void restore_after_host_call(bool restore_r0, bool restore_x9);

  A64Encoder enc_;
  const HostCallTable& host_calls_;
};

}  // namespace nicsim::jit::a64
