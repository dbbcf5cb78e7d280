#pragma once
// The abstract machine: executes one instruction on one path's state, checking every
// safety rule on the way (the kernel's do_check body). Conditional jumps may split the path
// in two; calls push and exits pop frames. Violations throw VerifyError.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <vector>

#include "ebpf/isa/instruction.h"
#include "verifier/analysis/context.h"
#include "verifier/analysis/verify_error.h"
#include "verifier/domain/scalar_alu.h"
#include "verifier/domain/scalar_compare.h"
#include "verifier/state/locations.h"
#include "verifier/state/state.h"

namespace nicsim::verifier {

// Told about every read and write of a location (for liveness), every proven packet
// access and stack depth (for facts), and asked for fresh ids.
class Observer {
 public:
  virtual ~Observer() = default;
  virtual void on_read(size_t location) = 0;
  virtual void on_write(size_t location) = 0;
  virtual void on_packet_access(int32_t insn, int32_t proof) = 0;
  virtual void on_stack_depth(int32_t function, int32_t depth) = 0;
  virtual uint32_t new_id() = 0;
  // The instruction's safety depends on the exact values of these scalars: the states
  // they came from must not be pruned on looser values (the kernel's mark_chain_precision).
  virtual void require_precision(const LocationSet& locations) = 0;
};

struct Step {
  int32_t next = -1;    // next instruction of this path; -1 when the path has ended
  bool forked = false;  // a second path starts at fork_insn in fork_state
  int32_t fork_insn = -1;
  VerifierState fork_state;
  // For precision backtracking: the stack slot a load/store accessed (constant offset), or
  // that it used a variable offset; for a conditional jump, the locations linked (same
  // scalar id) to its operands.
  int16_t stack_frame = -1;
  int16_t stack_slot = -1;
  bool stack_variable = false;
  std::vector<uint16_t> linked;
  // Conditional jumps and assumptions: which sides were feasible (facts on dead edges).
  bool branch_taken = false;
  bool branch_fallthrough = false;
};

class Machine {
 public:
  Machine(const AnalysisContext& context, Observer& observer)
      : ctx_(context), observer_(observer) {}

  // The state at the program's entry: R1 = context, R10 = frame pointer.
  static VerifierState entry_state();
  void execute(VerifierState& state, int32_t insn, Step& step);

 private:
  using Instruction = ebpf::Instruction;

  // --- registers (machine.cpp) ---
  const RegisterState& use(VerifierState& s, int32_t insn, int reg);
  RegisterState& define(VerifierState& s, int32_t insn, int reg);
  void mark_reg_read(const VerifierState& s, int reg);
  uint32_t new_id() { return observer_.new_id(); }
  [[noreturn]] void fail(int32_t insn, std::string message) const;
  // Asks for the precision of scalar registers of the current frame.
  void need_precise(const VerifierState& s, std::initializer_list<int> regs);
  std::string describe_reg(const VerifierState& s, const RegisterState& reg) const;

  // --- ALU (machine_alu.cpp) ---
  void alu(VerifierState& s, int32_t insn);
  void mov(VerifierState& s, int32_t insn, const Instruction& i, bool is64);
  void pointer_arithmetic(VerifierState& s, int32_t insn, const Instruction& i, AluOp op,
                          const RegisterState& ptr, const RegisterState& offset,
                          bool pointer_is_dst);
  void lddw(VerifierState& s, int32_t insn);

  // --- memory (machine_memory.cpp) ---
  void load(VerifierState& s, int32_t insn, Step& step);
  void store(VerifierState& s, int32_t insn, Step& step);
  void atomic(VerifierState& s, int32_t insn, Step& step);
  void note_stack_access(const VerifierState& s, const RegisterState& ptr, int32_t off,
                         Step& step) const;
  void legacy_packet_load(VerifierState& s, int32_t insn);
  // Checks an access of `size` bytes at register `regno` + `off`; for reads returns the
  // loaded value (before narrowing), for writes stores `value` (nullptr: unknown data, or
  // `imm` when it holds a constant).
  RegisterState access(VerifierState& s, int32_t insn, int regno, int32_t off, int size, bool write,
                       const RegisterState* value, int value_regno, std::optional<uint64_t> imm,
                       bool sign_extend);
  RegisterState ctx_access(VerifierState& s, int32_t insn, int regno, const RegisterState& ptr,
                           int32_t off, int size, bool write, int value_regno, bool sign_extend);
  RegisterState packet_access(VerifierState& s, int32_t insn, int regno, const RegisterState& ptr,
                              int32_t off, int size, bool write, int value_regno);
  RegisterState region_access(VerifierState& s, int32_t insn, int regno, const RegisterState& ptr,
                              int32_t off, int size, bool write, int value_regno);
  RegisterState socket_access(int32_t insn, int regno, const RegisterState& ptr, int32_t off,
                              int size, bool write);
  // Accessible [min, max) byte range check of a memory region of `region_size` bytes.
  void check_region(int32_t insn, int regno, const RegisterState& ptr, int32_t off, int size,
                    uint32_t region_size, bool zero_size_allowed) const;

  // --- stack (machine_stack.cpp) ---
  RegisterState stack_read(VerifierState& s, int32_t insn, int regno, const RegisterState& ptr,
                           int32_t off, int size);
  RegisterState misaligned_stack_read(const FrameStack& stack, int32_t insn, int frame, int at,
                                      int size);
  void stack_write(VerifierState& s, int32_t insn, int regno, const RegisterState& ptr, int32_t off,
                   int size, const RegisterState* value, std::optional<uint64_t> imm);
  // Bounds of an access through a stack pointer: [min, max) offsets from the frame top.
  std::pair<int64_t, int64_t> stack_bounds(int32_t insn, int regno, const RegisterState& ptr,
                                           int32_t off, int size, const char* what) const;
  // A helper reads (or writes) [ptr + off, +size) of the stack.
  void stack_range_for_helper(VerifierState& s, int32_t insn, int regno, const RegisterState& ptr,
                              int64_t size, bool write, bool zero_size_allowed);

  // --- branches (machine_branch.cpp) ---
  void conditional_jump(VerifierState& s, int32_t insn, Step& step);
  void check_pointer_comparison(int32_t insn, const Instruction& i, CmpOp op,
                                const RegisterState& dst, const RegisterState& src);
  bool refine_branch(VerifierState& s, int32_t insn, const Instruction& i, CmpOp op,
                     bool taken_side);
  void mark_null_check(VerifierState& s, uint32_t id, bool is_null);
  void update_packet_range(VerifierState& s, const RegisterState& pkt, bool strict, int32_t insn);
  void sync_linked_scalars(VerifierState& s, const RegisterState& reg);

  // --- calls (machine_call.cpp) ---
  void helper_call(VerifierState& s, int32_t insn, Step& step, int32_t helper_id);
  void indirect_call(VerifierState& s, int32_t insn, Step& step);
  void assume(VerifierState& s, int32_t insn, const Assumption& a, Step& step);
  void check_helper_memory(VerifierState& s, int32_t insn, int regno, const RegisterState& ptr,
                           int64_t size, bool write, bool zero_size_allowed);
  void local_call(VerifierState& s, int32_t insn, Step& step, int32_t target);
  // --- global functions (machine_global_call.cpp) ---
  void global_call(VerifierState& s, int32_t insn, const GlobalFunction& callee, int32_t target);
  void global_exit(VerifierState& s, int32_t insn);
  bool function_changes_packet(int32_t start) const;
  void exit(VerifierState& s, int32_t insn, Step& step);
  void invalidate_packet_pointers(VerifierState& s, int32_t insn);
  void release_reference(VerifierState& s, int32_t insn, uint32_t ref_id);

  // Whether a stack access must be naturally aligned: atomics always (hardware needs it),
  // other accesses under kernel_sanity_checks.
  bool stack_alignment_required() const {
    return atomic_access_ || ctx_.options.kernel_sanity_checks;
  }

  const AnalysisContext& ctx_;
  Observer& observer_;
  bool atomic_access_ = false;
};

// The outcome of comparing two registers of which at least one is a pointer, when the
// types and offsets decide it (pointer vs NULL, two offsets in one region, two maps).
Outcome pointer_outcome(CmpOp op, const RegisterState& dst, const RegisterState& src);

// Concrete access size of a load/store size field.
inline int access_size(const ebpf::Instruction& insn) {
  return ebpf::access_bytes(insn.size());
}

}  // namespace nicsim::verifier
