// Bounds-check removal: a packet bounds check (data + n > data_end) whose outcome the facts
// prove for every run is dropped (never taken) or becomes a jump (always taken). The hardware
// checks every packet access anyway; what remains of the program's own checks are those that
// decide which path a packet takes.

#include "jit/nic/passes/pass.h"

namespace nicsim::jit::nic {

size_t run_bounds_check(PassContext& context) {
  size_t changes = 0;
  for (Block& block : context.fn.blocks) {
    const int index = block.removed ? -1 : conditional_branch_index(block);
    if (index < 0) continue;
    const Op& branch = block.ops[static_cast<size_t>(index)];
    if (branch.source < 0) continue;
    const InstructionFacts* f = context.facts.at(static_cast<size_t>(branch.source));
    if (f == nullptr || !f->bounds_check) continue;
    if (f->branch == BranchFact::NeverTaken) {
      remove_op(block, static_cast<size_t>(index));
      ++changes;
    } else if (f->branch == BranchFact::AlwaysTaken) {
      make_branch_unconditional(block, static_cast<size_t>(index));
      ++changes;
    }
  }
  return changes;
}

}  // namespace nicsim::jit::nic
