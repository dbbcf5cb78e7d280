#pragma once
// Superblocks and their order (docs/nic-isa.md section 11): small join blocks copied into their
// predecessors (tail duplication), blocks joined into chains along fall-through edges, and
// chains laid out so that fall-through edges survive.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "jit/nic/ir.h"
#include "jit/nic/scheduler.h"

namespace nicsim::jit::nic {

// Copies small blocks with several predecessors into the predecessors that jump or fall into
// them; returns the operations copied (also in stats.duplicated).
size_t duplicate_tails(Function& fn, ScheduleStats& stats);
// Chains of blocks, each block after the first entered only by falling through from the
// previous one (every block its own chain without superblocks).
std::vector<std::vector<int32_t>> form_chains(const Function& fn, bool superblocks);
// The order of the chains; inverts branches or adds jumps where a fall-through cannot stay.
std::vector<int> lay_out(Function& fn, const std::vector<std::vector<int32_t>>& chains,
                         ScheduleStats& stats);

}  // namespace nicsim::jit::nic
