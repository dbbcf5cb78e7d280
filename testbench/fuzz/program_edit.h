#pragma once
// Removing an instruction from a program while keeping every jump, local call and function
// start pointing at the same code (what the minimiser does to shrink a failing program).

#include <cstddef>

#include "ebpf/program/program.h"

namespace nicsim::fuzz {

// Removes the instruction at `index` (both slots of an lddw). False, and the program
// unchanged, when `index` is not an instruction start or is a jump's only target that would
// then fall outside the program.
bool erase_instruction(ebpf::Program& program, size_t index);

}  // namespace nicsim::fuzz
