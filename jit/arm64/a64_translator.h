#pragma once
// eBPF -> AArch64: one translation pass over a program. The compiler runs passes until every
// conditional branch reaches its target (A64BranchRelaxer); each pass emits, in order, the
// entry trampoline, every instruction (one switch over eBPF opcodes), the cold paths of
// checked code and the shared stubs the instructions call (memory checks, helper / tail-call /
// callx / legacy-load dispatch into the C++ slow paths, faults).
//
// Generated code keeps the eBPF registers in machine registers (a64_registers.h), x28 points
// at the NativeRunState, x26 holds the instruction budget, and every eBPF function (the program and
// its bpf-to-bpf callees) is entered with its return address pushed on the native stack (16 bytes,
// keeping sp aligned), as x86's call does, and its exit pops it and returns: x30 is then free for
// the BL to stubs anywhere in eBPF code. A caller saves r6..r9 and moves r10 down by one 512-byte
// frame.

#include <array>
#include <cstdint>
#include <vector>

#include "ebpf/program/program.h"
#include "ebpf/runtime/runtime.h"
#include "jit/arm64/a64_branch_relaxer.h"
#include "jit/arm64/a64_encoder.h"
#include "jit/arm64/a64_host_calls.h"
#include "jit/common/code_buffer.h"
#include "jit/common/instruction_blocks.h"
#include "jit/common/jit_options.h"
#include "jit/common/program_facts.h"
#include "jit/common/slow_paths.h"

namespace nicsim::jit::a64 {

class A64Translator {
 public:
  A64Translator(CodeBuffer& code, A64BranchRelaxer& relaxer, const ebpf::Program& program,
                ebpf::Runtime& runtime, const JitOptions& options, const ProgramFacts* facts,
                const BlockPlan& blocks, const HostCallTable& host_calls);

  // Emits the whole program into the code buffer; false when a conditional branch was out of
  // range (the relaxer now knows, and the pass must be redone).
  bool emit_program();

  Label body() const { return insn_labels_.at(0); }
  const std::vector<uint32_t>& insn_offsets() const { return insn_offsets_; }
  uint32_t instructions_end() const { return instructions_end_; }
  const std::vector<bool>& second_slots() const { return second_slots_; }
  bool counts_instructions() const { return counting_; }

 private:
  using Insn = ebpf::Instruction;

  // --- instructions (a64_translator.cpp) ---
  void translate(size_t slot);
  void charge_block(size_t slot);
  // Rd = value, blinded when hardening (the value as written never appears in the code).
  void materialize(Size size, Reg rd, uint64_t value, size_t slot);
  uint32_t blinding_key(size_t slot) const;
  // Rd = Rn + offset (64-bit), through kScratch1 when the offset needs more than 12 bits.
  void add_offset(Reg rd, Reg rn, int64_t offset);

  // --- ALU (a64_translate_alu.cpp) ---
  void translate_alu(size_t slot, const Insn& insn);
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
  void translate_load(size_t slot, const Insn& insn);
  void translate_store(size_t slot, const Insn& insn);
  void translate_atomic(size_t slot, const Insn& insn);
  void emit_atomic_body(const Insn& insn, Size size, bool exclusive);
  void translate_lddw(size_t slot, const Insn& insn);
  void translate_legacy_load(const Insn& insn);
  // A plain machine access of `op` to [base + offset] (any eBPF offset).
  void emit_access(MemOp op, Reg rt, Reg base, int32_t offset);
  bool statically_in_frame(int base_reg, int16_t offset, int size) const;
  bool proven_safe(size_t slot) const;
  PointerKind proven_base(size_t slot) const;

  // --- control flow (a64_translate_control.cpp) ---
  void translate_jump(size_t slot, const Insn& insn);
  void translate_call(size_t slot, const Insn& insn);
  void emit_local_call(size_t slot, Label target, bool indirect);
  void emit_tail_call();
  void translate_callx(size_t slot, const Insn& insn);
  void emit_exit();
  void emit_fault(slow_path::FaultKind kind, size_t slot, uint32_t extra);

  // --- stubs (a64_stubs.cpp) ---
  void emit_entry_trampoline();
  void emit_stubs();
  void emit_load_stub(int size, bool sign_extend);
  void emit_store_stub(int size);
  void emit_range_check(int32_t begin_field, int size, Label miss);
  void emit_helper_stub();
  void emit_tail_call_stub();
  void emit_callx_stub();
  void emit_legacy_stub();
  void emit_fault_stub();
  void emit_cold_paths();
  void call_host(HostCall call);
  void check_status_and_return();
  // Around a C call: x29/x30, r1..r5, r0 and x9 on the native stack; restoring leaves out r0
  // and x9 when they carry the stub's result.
  void save_for_host_call();
  void restore_after_host_call(bool restore_r0, bool restore_x9);
  Label load_stub(int size, bool sign_extend);
  Label store_stub(int size);
  Label stub(Label& label);

  static int size_index(int size) { return size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3; }

  CodeBuffer& code_;
  A64Encoder enc_;
  const ebpf::Program& program_;
  ebpf::Runtime& runtime_;
  const JitOptions& options_;
  const ProgramFacts* facts_;
  const BlockPlan& blocks_;
  const HostCallTable& host_calls_;
  bool counting_;  // charge blocks against the budget (checked code)
  bool tracking_;  // maintain call depth and the live stack range for run-time checks
  uint64_t blinding_seed_;

  std::vector<bool> second_slots_;
  std::vector<Label> insn_labels_;
  std::vector<uint32_t> insn_offsets_;
  uint32_t instructions_end_ = 0;
  Label leave_;  // abort / early exit: unwinds to the trampoline's epilogue
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

}  // namespace nicsim::jit::a64
