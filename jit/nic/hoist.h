#pragma once
// Hoisting out of a switch join: `if (x == a) goto L; if (x != b) goto M; L: ...` makes L a join
// point (entered by the first branch and by falling through the second), so L starts a new
// superblock and its work waits for both branches. The leading operations of L that may run
// on every path (ALU, special registers, loads proven in bounds as ldnf) and whose results
// no other target of those branches reads move above the first branch, where the scheduler
// can overlap them with the work before it.

#include <cstddef>

#include "jit/nic/ir.h"

namespace nicsim::jit::nic {

// Returns how many operations moved.
size_t hoist_from_switch_joins(Function& fn);

}  // namespace nicsim::jit::nic
