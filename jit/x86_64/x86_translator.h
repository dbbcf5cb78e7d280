#pragma once
// eBPF -> x86-64: one translation pass over a program. The compiler runs passes until the
// branch layout converges (BranchRelaxer); each pass emits, in order, the entry trampoline,
// every instruction (one switch over eBPF opcodes), the shared stubs the instructions call
// (memory checks, helper/tail-call/callx dispatch, faults) and the cold paths of checked code.
//
// Generated code keeps the eBPF registers in machine registers (x86_registers.h), r12 points
// at the NativeRunState, and every eBPF function (the program and its bpf-to-bpf callees) is
// a native function entered with `call` whose exit is `ret`; its caller saves r6..r9 and
// moves r10 down by one 512-byte frame. Inside an eBPF function rsp is 8 mod 16, as after a
// call, so that stubs can call C++ after an even number of pushes.

#include <array>
#include <cstdint>
#include <vector>

#include "ebpf/program/program.h"
#include "ebpf/runtime/runtime.h"
#include "jit/common/branch_relaxation.h"
#include "jit/common/code_buffer.h"
#include "jit/common/instruction_blocks.h"
#include "jit/common/jit_options.h"
#include "jit/common/program_facts.h"
#include "jit/common/slow_paths.h"
#include "jit/x86_64/x86_encoder.h"

namespace nicsim::jit::x86 {

class X86Translator {
 public:
  X86Translator(CodeBuffer& code, BranchRelaxer& relaxer, const ebpf::Program& program,
                ebpf::Runtime& runtime, const JitOptions& options, const ProgramFacts* facts,
                const BlockPlan& blocks);

  // Emits the whole program into the code buffer.
  void emit_program();

  Label body() const { return insn_labels_.at(0); }
  // Per slot: offset of the instruction's code (second lddw slots: the first slot's).
  const std::vector<uint32_t>& insn_offsets() const { return insn_offsets_; }
  uint32_t instructions_end() const { return instructions_end_; }
  const std::vector<bool>& second_slots() const { return second_slots_; }
  bool counts_instructions() const { return counting_; }

 private:
  using Insn = ebpf::Instruction;

  // --- instructions (x86_translator.cpp) ---
  void translate(size_t slot);
  void charge_block(size_t slot);

  // --- ALU (x86_translate_alu.cpp) ---
  void translate_alu(size_t slot, const Insn& insn);
  void translate_mov(const Insn& insn);
  void translate_shift(const Insn& insn);
  void translate_divmod(size_t slot, const Insn& insn);
  void divide(bool is64, bool is_signed, bool is_mod, Reg dst, Reg divisor);
  void translate_endian(const Insn& insn);
  // Puts the immediate into `scratch`: sign-extended to 64 bits, or zero-extended from 32
  // bits, blinded when hardening.
  void materialize_imm(Reg scratch, int32_t imm, bool sign_extend_64, size_t slot);
  uint32_t blinding_key(size_t slot) const;

  // --- memory (x86_translate_memory.cpp) ---
  void translate_load(size_t slot, const Insn& insn);
  void translate_store(size_t slot, const Insn& insn);
  void translate_atomic(size_t slot, const Insn& insn);
  void translate_lddw(size_t slot, const Insn& insn);
  void translate_legacy_load(const Insn& insn);
  // Where an access of `size` bytes at [base + offset] goes: a memory operand that is safe to
  // use directly (proven by facts, or r10-relative inside the frame), or [r11] after a check.
  Mem access_operand(size_t slot, int base_reg, int16_t offset, int size, bool write);
  bool statically_in_frame(int base_reg, int16_t offset, int size) const;
  bool proven_safe(size_t slot) const;
  PointerKind proven_base(size_t slot) const;

  // --- control flow (x86_translate_control.cpp) ---
  void translate_jump(size_t slot, const Insn& insn);
  void translate_call(size_t slot, const Insn& insn);
  void emit_local_call(size_t slot, Label target, bool indirect);
  void emit_tail_call();
  void translate_callx(size_t slot, const Insn& insn);
  void emit_fault(slow_path::FaultKind kind, size_t slot, uint32_t extra);

  // --- stubs (x86_stubs.cpp) ---
  void emit_entry_trampoline();
  void emit_stubs();
  void emit_load_stub(int size, bool sign_extend);
  void emit_store_stub(int size);
  void emit_range_check(int32_t begin_field, int32_t size_field, int size, Label miss);
  void emit_helper_stub();
  void emit_tail_call_stub();
  void emit_callx_stub();
  void emit_legacy_stub();
  void emit_fault_stub();
  void emit_cold_paths();
  void call_function(const void* function);  // movabs rax, f; call rax (rax must be free)
  void check_status_and_return();
  Label load_stub(int size, bool sign_extend);
  Label store_stub(int size);

  static int size_index(int size) { return size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3; }

  CodeBuffer& code_;
  X86Encoder enc_;
  const ebpf::Program& program_;
  ebpf::Runtime& runtime_;
  const JitOptions& options_;
  const ProgramFacts* facts_;
  const BlockPlan& blocks_;
  bool counting_;  // charge blocks against the budget (checked code)
  bool tracking_;  // maintain call depth and the live stack range for run-time checks
  uint64_t blinding_seed_;

  std::vector<bool> second_slots_;  // slots holding the upper half of an lddw
  std::vector<Label> insn_labels_;
  std::vector<uint32_t> insn_offsets_;
  uint32_t instructions_end_ = 0;
  Label leave_;  // abort / early-exit: unwinds to the trampoline's epilogue
  Label epilogue_;
  std::array<std::array<Label, 2>, 4> load_stubs_;  // [size index][sign-extend]
  std::array<Label, 4> store_stubs_;
  Label helper_stub_, tail_call_stub_, callx_stub_, legacy_stub_, fault_stub_;
  struct ColdPath {
    Label label;
    slow_path::FaultKind kind;
    uint32_t insn;
    uint32_t extra;
  };
  std::vector<ColdPath> cold_paths_;
};

}  // namespace nicsim::jit::x86
