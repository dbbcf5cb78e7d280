#pragma once
// The backend-independent half of translating one eBPF program to native code, in one pass
// (the compile driver runs passes until the branch layout converges). It walks the program,
// binds a label per instruction, charges straight-line blocks against the budget (checked
// code), resolves what does not depend on the target (helpers, map and function addresses,
// lddw constants, which accesses the verifier's facts prove safe, xdp_md fields), refuses
// what no engine can run with the interpreter's wording, and lays out the cold paths and the
// stubs. A backend derives from it and supplies the machine code: the ALU, the conditional
// jumps, plain and checked memory accesses, calls, the entry trampoline and the stubs' bodies,
// plus a few primitives (jump, call a stub, move through the scratch register) with which the
// shared parts emit the control flow of tail calls, callx and the check stubs.
//
// Conventions every backend follows: one scratch register carries addresses to the check
// stubs and values back, the callx target and result, and the tail-call target; the stubs are
// entered with a native call and return to the instruction after it, whose address names the
// instruction for diagnostics (CompiledProgram::instruction_at).

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "ebpf/isa/instruction.h"
#include "ebpf/maps/array_map.h"
#include "ebpf/program/program.h"
#include "ebpf/runtime/helpers.h"
#include "ebpf/runtime/runtime.h"
#include "ebpf/runtime/xdp.h"
#include "jit/common/code_buffer.h"
#include "jit/common/entry_plan.h"
#include "jit/common/instruction_blocks.h"
#include "jit/common/jit_options.h"
#include "jit/common/program_facts.h"
#include "jit/common/slow_paths.h"

namespace nicsim::jit {

// What one translation pass translates, and how.
struct TranslationInput {
  const ebpf::Program& program;
  ebpf::Runtime& runtime;
  const JitOptions& options;  // harden with a fixed blinding_seed (the driver draws one)
  const ProgramFacts* facts;  // Verified mode only
  const BlockPlan& blocks;
  // Whether the previous pass used the run state (stubs, cold paths, budget): the prologue,
  // emitted before the instructions that decide it, sets up the state register and the
  // leave path only then. The driver repeats a pass whose guess was wrong.
  bool run_state_expected = false;
};

// The out-of-line code the instructions of a program share, besides the memory check stubs.
enum class Stub : uint8_t { Helper, TailCall, Callx, LegacyLoad, Fault };
inline constexpr size_t kStubCount = 5;

class Translator {
 public:
  virtual ~Translator() = default;
  Translator(const Translator&) = delete;
  Translator& operator=(const Translator&) = delete;

  // Emits the prologue, every instruction, a fault for running past the last one, the
  // epilogue (direct entry), the cold paths and the stubs they use.
  void emit_program();
  // After emit_program: whether the code uses the run state (TranslationInput).
  bool used_run_state() const;

  Label body() const { return insn_labels_.at(0); }
  // Per slot: offset of the instruction's code (second lddw slots: the first slot's).
  const std::vector<uint32_t>& insn_offsets() const { return insn_offsets_; }
  uint32_t instructions_end() const { return instructions_end_; }
  const std::vector<bool>& second_slots() const { return second_slots_; }
  bool counts_instructions() const { return counting_; }
  bool needs_xdp_context() const { return translates_context_; }

 protected:
  using Insn = ebpf::Instruction;

  // A backend that `can_enter_directly` implements emit_epilogue; single-function programs
  // then fall into their body from the prologue and leave through the epilogue.
  Translator(CodeBuffer& code, const TranslationInput& input, bool can_enter_directly = false);

  // --- machine code of instructions (the backend) ---
  // Entered as `uint64_t entry(NativeRunState*, r1, r2)`. Direct entry: saves what the body
  // needs saved and falls through to instruction 0. Otherwise a trampoline: calls instruction
  // 0 and binds epilogue() after the call.
  virtual void emit_prologue() = 0;
  // Direct entry only: undoes the prologue and returns r0 to the caller of entry().
  virtual void emit_epilogue();
  // Subtracts `length` from the budget; `cold` when it cannot cover them.
  virtual void emit_budget_charge(uint32_t length, Label cold) = 0;
  virtual void translate_alu(size_t slot, const Insn& insn) = 0;
  // Optional: `dst = src + imm` (64-bit) as one instruction, for the pair `dst = src;
  // dst += imm`; false when the backend has no such form (then both are translated).
  virtual bool emit_copy_plus_constant(int dst, int src, int32_t imm);
  virtual void emit_conditional_jump(size_t slot, const Insn& insn, Label target) = 0;
  // An exit: a return from the function, or (direct entry) the way to the epilogue.
  virtual void emit_exit() = 0;
  // A bpf-to-bpf call to `target`, or (`indirect`) to the code address in the scratch
  // register; when tracking(), a call that would need a ninth frame takes
  // cold_path(CallDepth, slot, 0).
  virtual void emit_local_call(size_t slot, Label target, bool indirect) = 0;
  virtual void translate_legacy_load(const Insn& insn) = 0;
  // lddw of a 64-bit immediate, blinded when hardening.
  virtual void emit_lddw_immediate(size_t slot, int dst, uint64_t value) = 0;
  // A host address (map, map value), never blinded.
  virtual void emit_load_address(int dst, uint64_t address) = 0;
  virtual void emit_code_address(int dst, Label target) = 0;
  // A plain access, without checks: loads zero- or sign-extend to 64 bits.
  virtual void emit_plain_load(int dst, int base, int32_t offset, int size, bool sign_extend) = 0;
  // The value of a checked load, which its stub left in the scratch register.
  virtual void emit_checked_load_result(int dst, int size, bool sign_extend) = 0;
  // The store of a ST/STX instruction: to [base + offset] when `direct`, else to the address
  // in the scratch register (the store stub has checked it and kept it).
  virtual void emit_store(size_t slot, const Insn& insn, bool direct) = 0;
  // An atomic operation; unless `direct`, its address must go through the store stub first.
  virtual void emit_atomic(size_t slot, const Insn& insn, bool direct) = 0;
  virtual void emit_fault(slow_path::FaultKind kind, size_t slot, uint32_t extra) = 0;
  // Verified code, bpf_map_lookup_elem of an array map the verifier pinned to this call: r0 =
  // the address of the value whose u32 index r2 points to, or 0 when out of range, computed
  // inline (the kernel's map_gen_lookup); r1..r5 are left as they are. `key`: the index's
  // range when the verifier bounded it; `key_register`: an eBPF register whose low 32 bits
  // are the key (stored from it in the same straight line), read instead of memory at r2, or
  // -1. Only where inlines_array_lookup (else the helper is called).
  virtual bool inlines_array_lookup(const ebpf::ArrayLayout&) const { return false; }
  virtual void emit_array_lookup(const ebpf::ArrayLayout&, const std::optional<U32Range>& key,
                                 int key_register) {
    (void)key;
    (void)key_register;
  }
  // Verified code may call a helper's HelperInfo::verified function directly, through a
  // thunk per helper (emit_direct_helper_thunk), when the backend runs host code natively.
  virtual bool calls_helpers_directly() const { return false; }
  // Verified code leaves out register definitions no instruction reads (unread_definitions.h;
  // not when hardening, whose code stays as it was).
  virtual bool leaves_out_unread_definitions() const { return false; }
  // The thunk, entered by emit_stub_call: calls `function` with the C ABI (r1..r5 and, when
  // `pass_runtime`, the Runtime as arguments), r0 its result; r1..r5 need not survive (the
  // verifier proved that no instruction reads them after a call before writing them).
  virtual void emit_direct_helper_thunk(uint64_t function, bool pass_runtime) {
    (void)function;
    (void)pass_runtime;
  }

  // --- primitives the shared control flow is written with (the backend) ---
  virtual void emit_jump(Label target) = 0;
  virtual void emit_stub_call(Label stub) = 0;
  virtual void emit_return() = 0;
  virtual void emit_address_to_scratch(int base, int32_t offset) = 0;  // base + offset
  virtual void emit_register_to_scratch(int reg) = 0;
  virtual void emit_constant_to_scratch(uint64_t value) = 0;
  virtual void emit_scratch_from_state(int32_t field) = 0;  // a NativeRunState field
  virtual void emit_r0_from_state(int32_t field) = 0;
  virtual void emit_branch_if_scratch_zero(Label target) = 0;
  virtual void emit_branch_if_scratch_not(uint32_t value, Label target) = 0;
  virtual void emit_jump_to_scratch() = 0;

  // --- stubs (the backend) ---
  // Back to the trampoline's frame from any depth with r0 = 0 (the run state says why).
  virtual void emit_leave_path() = 0;
  // Falls through when the scratch address and `size` bytes lie in the FastRange whose
  // `begin` field is at `range_field` (`size` at range_field + 8), else goes to `miss`.
  virtual void emit_range_check(int32_t range_field, int size, Label miss) = 0;
  // A check stub's access inside a fast range (loads leave the value in the scratch register).
  virtual void emit_load_stub_hit(int size, bool sign_extend) = 0;
  // A check stub's call to slow_path::load / check_write, preserving what the stub must.
  virtual void emit_load_stub_slow(int size, bool sign_extend) = 0;
  virtual void emit_store_stub_slow(int size) = 0;
  // Returns from a stub, or leaves when the slow path ended the run.
  virtual void emit_check_status_and_return() = 0;
  // The bodies of the shared stubs (entered with a native call from the instructions).
  virtual void emit_helper_stub() = 0;
  virtual void emit_tail_call_stub() = 0;
  virtual void emit_callx_stub() = 0;
  virtual void emit_legacy_stub() = 0;
  virtual void emit_fault_stub() = 0;

  // --- for the backend ---
  const EntryPlan& entry_plan() const { return plan_; }
  bool enters_directly() const { return direct_; }
  // The state register, the entry stack pointer and the leave path are set up.
  bool uses_run_state() const { return run_state_; }
  // The instructions call native code that may call C++ (helpers, stubs, thunks): the stack
  // must be aligned for it at every call.
  bool calls_out() const { return run_state_ || calls_helpers_; }
  // Verified code without zeroed registers; checked code starts them at zero.
  bool verified() const { return verified_; }
  CodeBuffer& code() { return code_; }
  const ebpf::Program& program() const { return input_.program; }
  ebpf::Runtime& runtime() { return input_.runtime; }
  const JitOptions& options() const { return input_.options; }
  bool hardening() const { return input_.options.harden; }
  // Maintains the call depth and the live stack range for run-time checks.
  bool tracking() const { return tracking_; }
  Label insn_label(size_t slot) const { return insn_labels_.at(slot); }
  // Stubs jump here to end the run; in a directly entered body they must do so with only
  // their own return address above the body's stack (the x86 leave path drops it).
  Label leave() const { return leave_; }
  Label epilogue() const { return epilogue_; }
  Label stub(Stub stub);
  Label load_stub(int size, bool sign_extend);
  Label store_stub(int size);
  // A cold path that raises `kind` at `slot` (emitted after the instructions).
  Label cold_path(slow_path::FaultKind kind, size_t slot, uint32_t extra);
  // The per-instruction blinding key: never 0, different for every slot and compilation.
  uint32_t blinding_key(size_t slot) const;
  // Whether an access needs no run-time check: r10-relative inside the frame, or proven safe.
  bool direct_access(size_t slot, int base, int16_t offset, int size) const;

 private:
  void translate(size_t slot);
  // Whether `slot` and the next instruction are `dst = src; dst += imm` that may become one
  // operation: verified code (function starts follow exits), no jump into the pair, no
  // blinding.
  bool copy_then_add(size_t slot) const;
  void charge_block(size_t slot);
  void translate_exit(size_t slot);
  void translate_jump(size_t slot, const Insn& insn);
  void translate_call(size_t slot, const Insn& insn);
  void translate_callx(size_t slot, const Insn& insn);
  void emit_tail_call();
  // How a helper call is compiled: the array lookup inline, the pinned map's own lookup or the
  // helper's verified variant called directly through a thunk, or the helper stub (checked
  // code, and helpers the verifier's checks do not cover).
  enum class HelperCall : uint8_t { Inline, MapLookup, Direct, Stub };
  HelperCall helper_call(size_t slot, const ebpf::HelperInfo& info) const;
  // The map the verifier pinned to a bpf_map_lookup_elem call (its helper_map fact), or
  // nullptr; pinned_array: the same when it is an array.
  ebpf::Map* pinned_map(size_t slot, const ebpf::HelperInfo& info) const;
  ebpf::ArrayMap* pinned_array(size_t slot, const ebpf::HelperInfo& info) const;
  // Before the prologue: whether any call goes through a stub (then the run state is set up)
  // and whether any calls native code at all (then the stack is aligned for it).
  void plan_calls();
  // The registers the translation of the helper call at `slot` reads.
  uint16_t helper_call_reads(size_t slot) const;
  // An inline array lookup whose key the verifier proved below max_entries yields a value's
  // address, never null: a null test of it (or of a copy) later in the same straight-line
  // block is decided here. The verifier still explores the null branch (its acceptance is
  // the kernel's); only the compiled code drops it.
  void plan_null_checks();
  bool lookup_cannot_fail(size_t slot) const;
  bool inlined_lookup(size_t slot) const;
  // Where an inline lookup at `slot` can take its key from a register: the call's straight
  // line stores `*(u32 *)(r10 + K) = rX` and then sets r2 = r10 + K, with no other store.
  struct KeyStore {
    size_t slot = 0;
    int reg = 0;
  };
  std::optional<KeyStore> lookup_key_store(size_t slot) const;
  // key_registers_ (where the stored register still holds the key at the call, every
  // definition of it in between being left out) and unread_.
  void plan_key_registers();
  Label direct_helper_thunk(uint64_t function, bool pass_runtime);
  // The helper stub's entry for one helper: it loads the helper's address into the scratch
  // register, so that every call site of the helper is one call.
  Label helper_entry(uint64_t function);
  void emit_helper_entries();
  void translate_lddw(size_t slot, const Insn& insn);
  void translate_load(size_t slot, const Insn& insn);
  void translate_store(size_t slot, const Insn& insn);
  void translate_atomic(size_t slot, const Insn& insn);
  void refuse_context_write(size_t slot, const Insn& insn) const;
  const InstructionFacts* facts_at(size_t slot) const;
  bool proven_safe(size_t slot) const;
  PointerKind proven_base(size_t slot) const;
  // Verified code may leave out an instruction that only zero-extends its destination when
  // the verifier showed the upper half already zero, or never read.
  bool redundant_zero_extension(size_t slot, const Insn& insn) const;
  void emit_cold_paths();
  void emit_stubs();
  void emit_check_stub(Label entry, int size, bool load, bool sign_extend);
  void emit_stub_body(Stub stub);

  CodeBuffer& code_;
  TranslationInput input_;
  bool counting_;  // charge blocks against the budget (checked code)
  bool tracking_;
  bool verified_;
  bool translates_context_ = false;
  EntryPlan plan_;
  bool direct_;
  bool run_state_ = false;
  bool calls_helpers_ = false;
  // Verified code that runs only on an XDP frame (its context loads are translated, so
  // run_raw refuses it) and in which nothing reads the packet range the run state keeps
  // (no checked access, legacy load or tail call): helpers may move the packet directly.
  bool packet_moves_direct_ = false;
  size_t last_slot_ = 0;  // the last instruction in program order

  std::vector<bool> second_slots_;          // slots holding the upper half of an lddw
  std::vector<bool> unread_;                // definitions left out (verified code; empty: none)
  std::vector<int8_t> key_registers_;       // by call slot: the key's register, or -1
  std::vector<BranchOutcome> null_checks_;  // decided by plan_null_checks (empty: none)
  std::vector<Label> insn_labels_;
  std::vector<uint32_t> insn_offsets_;
  uint32_t instructions_end_ = 0;
  Label leave_;
  Label epilogue_;
  std::array<std::array<Label, 2>, 4> load_stubs_;  // [size index][sign-extend]
  std::array<Label, 4> store_stubs_;
  std::array<Label, kStubCount> stubs_;
  struct DirectHelper {
    uint64_t function;
    bool pass_runtime;
    Label thunk;
  };
  std::vector<DirectHelper> direct_helpers_;
  struct HelperEntry {
    uint64_t function;
    Label entry;
  };
  std::vector<HelperEntry> helper_entries_;
  struct ColdPath {
    Label label;
    slow_path::FaultKind kind;
    uint32_t insn;
    uint32_t extra;
  };
  std::vector<ColdPath> cold_paths_;
};

}  // namespace nicsim::jit
