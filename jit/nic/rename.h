#pragma once
// Register renaming before scheduling: a value defined and used inside one block, in a register
// an earlier operation of the block still reads or writes, moves to a register the block does
// not touch at all. The anti- and output dependences on the old register go, so the scheduler
// may place the definition as early as its inputs allow.

#include <cstddef>

#include "jit/nic/ir.h"

namespace nicsim::jit::nic {

// Returns how many definitions were renamed.
size_t rename_registers(Function& fn);

}  // namespace nicsim::jit::nic
