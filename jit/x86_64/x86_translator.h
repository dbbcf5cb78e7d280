#pragma once
// eBPF -> x86-64: the machine code of one translation pass (jit/common/translator.h walks the
// program and lays out the cold paths and stubs).
//
// Generated code keeps the eBPF registers in machine registers (x86_registers.h), r12 points
// at the NativeRunState, r11 is the scratch register of the shared conventions, and every eBPF
// function (the program and its bpf-to-bpf callees) is a native function entered with `call`
// whose exit is `ret`; its caller saves r6..r9 and moves r10 down by one 512-byte frame.
// Inside an eBPF function rsp is 8 mod 16, as after a call, so that stubs can call C++ after an
// even number of pushes. A verified single-function program is entered directly instead
// (x86_entry.cpp): its exits leave through one epilogue.

#include <array>
#include <cstddef>
#include <cstdint>

#include "jit/common/branch_relaxation.h"
#include "jit/common/code_buffer.h"
#include "jit/common/translator.h"
#include "jit/x86_64/x86_encoder.h"

namespace nicsim::jit::x86 {

class X86Translator final : public Translator {
 public:
  X86Translator(CodeBuffer& code, BranchRelaxer& relaxer, const TranslationInput& input);

 private:
  // --- instructions (x86_translator.cpp) ---
  void emit_budget_charge(uint32_t length, Label cold) override;
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

  // --- ALU (x86_translate_alu.cpp) ---
  void translate_alu(size_t slot, const Insn& insn) override;
  bool emit_copy_plus_constant(int dst, int src, int32_t imm) override;
  void translate_mov(const Insn& insn);
  void translate_shift(const Insn& insn);
  void translate_divmod(size_t slot, const Insn& insn);
  void divide(bool is64, bool is_signed, bool is_mod, Reg dst, Reg divisor);
  void translate_endian(const Insn& insn);
  // Puts the immediate into `scratch`: sign-extended to 64 bits, or zero-extended from 32
  // bits, blinded when hardening.
  void materialize_imm(Reg scratch, int32_t imm, bool sign_extend_64, size_t slot);

  // --- memory (x86_translate_memory.cpp) ---
  void emit_plain_load(int dst, int base, int32_t offset, int size, bool sign_extend) override;
  void emit_checked_load_result(int dst, int size, bool sign_extend) override;
  void emit_store(size_t slot, const Insn& insn, bool direct) override;
  void emit_atomic(size_t slot, const Insn& insn, bool direct) override;
  void translate_legacy_load(const Insn& insn) override;

  // --- control flow (x86_translate_control.cpp) ---
  void emit_conditional_jump(size_t slot, const Insn& insn, Label target) override;
  void emit_local_call(size_t slot, Label target, bool indirect) override;

  // --- entry and exit (x86_entry.cpp) ---
  // The callee-saved host registers the prologue pushes, in order, and whether one more push
  // aligns the stack.
  struct SavedRegisters {
    std::array<Reg, 6> regs{};
    size_t count = 0;
    bool pad = false;
  };
  static constexpr size_t kShortJumpBytes = 2;
  SavedRegisters saved_registers() const;
  // Helper thunks jump to their function instead of calling it: in a directly entered body
  // that calls no stub (no run state), so that the stack can be aligned for the jump.
  bool thunks_jump() const { return enters_directly() && !uses_run_state(); }
  size_t epilogue_bytes() const;
  void emit_prologue() override;
  void emit_epilogue() override;
  void emit_exit() override;
  void emit_leave_path() override;

  // --- verified helper calls (x86_translate_helpers.cpp) ---
  bool inlines_array_lookup(const ebpf::ArrayLayout& layout) const override;
  void emit_array_lookup(const ebpf::ArrayLayout& layout, const std::optional<U32Range>& key,
                         int key_register) override;
  bool calls_helpers_directly() const override { return true; }
  bool leaves_out_unread_definitions() const override { return true; }
  void emit_direct_helper_thunk(uint64_t function, bool pass_runtime) override;

  // --- stubs (x86_stubs.cpp) ---
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
  void call_function(const void* function);  // movabs rax, f; call rax (rax must be free)

  X86Encoder enc_;
};

}  // namespace nicsim::jit::x86
