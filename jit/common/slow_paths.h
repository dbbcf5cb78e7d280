#pragma once
// What generated code calls out of line, with the C calling convention of the host. Every
// function takes the run state, never throws (no unwinding through generated frames), and
// reports a fault by setting state->status (Aborted, or Finished for a legacy load out of
// range) after recording the diagnostic; the caller then leaves through the abort path.
// `site` is the native return address of the generated call that led here: it names the
// program and instruction for diagnostics.

#include <cstdint>

#include "jit/common/run_state.h"

namespace nicsim::jit::slow_path {

// Loads and stores that missed the inline ranges. `size_flags`: size in bytes, plus
// kSignExtend for sign-extending loads. load returns the value (zero-extended, or
// sign-extended when asked).
constexpr uint64_t kSignExtend = 0x100;
uint64_t load(NativeRunState* state, uint64_t address, uint64_t size_flags, uint64_t site) noexcept;
void check_write(NativeRunState* state, uint64_t address, uint64_t size, uint64_t site) noexcept;

// Calls state->helper(r1..r5, runtime) for the call site in state->site; aborts on a helper
// fault and refreshes the packet range afterwards (helpers move it).
uint64_t call_helper(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
                     NativeRunState* state) noexcept;

// bpf_tail_call(ctx, map, index): the native address to jump to, or 0 to fall through with
// r0 = state->value (a negative errno), or 0 after aborting.
uint64_t tail_call(NativeRunState* state, uint64_t map, uint64_t index, uint64_t site) noexcept;

// What callx with `target` does: kCallxLocal (state->value = the code address to call),
// kCallxHelper (state->helper set), kCallxTailCall; or aborts.
constexpr uint64_t kCallxLocal = 0;
constexpr uint64_t kCallxHelper = 1;
constexpr uint64_t kCallxTailCall = 2;
uint64_t resolve_callx(NativeRunState* state, uint64_t target, uint64_t site) noexcept;

// Faults detected by generated code itself, at instruction `insn` of the program `site` is in.
enum class FaultKind : uint64_t {
  Budget = 0,        // the block starting at `insn`, of `extra` instructions, exceeded the budget
  CallDepth = 1,     // a call would need a ninth frame
  LddwBtf = 2,       // lddw of a kernel variable by BTF id
  EndOfProgram = 3,  // execution ran past the last instruction
};
void fault(NativeRunState* state, FaultKind kind, uint64_t insn, uint64_t extra,
           uint64_t site) noexcept;

// LD_ABS/LD_IND: `size` bytes at packet `offset`, big-endian; out of range ends the program
// with r0 = 0 (state->status = Finished).
uint64_t legacy_load(NativeRunState* state, int64_t offset, uint64_t size, uint64_t site) noexcept;

}  // namespace nicsim::jit::slow_path
