#pragma once
// The optimisation passes of the NIC compiler (docs/nic-isa.md section 11). Each takes the
// function and the facts, edits the function in place and returns how many operations it
// removed or rewrote (the compile report shows these counts).

#include <bitset>
#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "firmware/isa/address_map.h"
#include "jit/nic/facts.h"
#include "jit/nic/ir.h"
#include "jit/nic/options.h"

namespace nicsim::jit::nic {

struct PassContext {
  Function& fn;
  const ProgramFacts& facts;
  const CompileOptions& options;
  std::span<const firmware::MapLayout> maps;  // the image's map layout
};

// Unreachable blocks, and operations whose results nobody reads; straight lines merged.
size_t run_dead_code(PassContext& context);
// Packet bounds checks the facts decide: never taken -> removed, always taken -> jump.
size_t run_bounds_check(PassContext& context);
// Constant propagation: constant operands into immediates, constant results into moves,
// constant branches decided.
size_t run_const_fold(PassContext& context);
// Three-operand forms: copy propagation, add+compare, add+load/store, shift pairs, context
// loads into special-register reads.
size_t run_fusion(PassContext& context);
// Byte-assembled loads into one wide load; adjacent constant stores and byte copies into
// wide stores.
size_t run_access_merge(PassContext& context);
// Part of access merging: stack loads of bytes a store of the same straight line wrote become
// ALU operations on the stored value; stack stores nothing reads before the exit go.
size_t forward_stack_stores(Function& fn);
// Stores of zero to stack bytes that are still zero; zero-extensions of values whose upper
// bits are zero.
size_t run_zeroing(PassContext& context);
// The stack bytes known to hold zero at each block's entry (nullopt: unreachable), the
// zeroing pass's analysis: the stack starts zeroed (docs/nic-isa.md section 2).
std::vector<std::optional<std::bitset<firmware::kStackSize>>> zero_stack_at_entry(
    const Function& fn);
// r0 = k; exit -> exit k; jumps to exit blocks (also `exit rX` with a known rX) -> exit
// vectors or exits.
size_t run_exit_fold(PassContext& context);

}  // namespace nicsim::jit::nic
