#pragma once
// From blocks to bundles: blocks joined into superblocks (a chain of blocks each entered only
// by falling through from the previous one), laid out so that fall-through edges are kept, and
// list-scheduled into L-slot bundles. Operations may move above a branch of their superblock
// only when that cannot be observed: no side effect, no possible fault, and no register the
// branch's target still needs.

#include <cstdint>
#include <vector>

#include "jit/nic/ir.h"
#include "jit/nic/options.h"

namespace nicsim::jit::nic {

struct ScheduledChain {
  std::vector<int32_t> blocks;           // blocks[0] is the only one branches may target
  std::vector<std::vector<Op>> bundles;  // each at most `lanes` ops, control ops last
};

struct ScheduleStats {
  size_t superblocks = 0;
  size_t jumps_added = 0;
  size_t branches_inverted = 0;
  size_t hoisted = 0;             // operations scheduled above a branch that precedes them
  size_t duplicated = 0;          // operations copied into predecessors (tail duplication)
  size_t renamed = 0;             // definitions moved to a free register (rename.h)
  size_t hoisted_from_joins = 0;  // operations moved above a switch (hoist.h)
  size_t reassociated = 0;        // operation chains rebalanced (reassociate.h)
  size_t dense_chains = 0;        // superblocks where the dense schedule needs fewer bundles
};

// Lays out and schedules `fn` (which it may edit: inverted branches, added jumps). With
// options.no_schedule every block is its own chain and every operation its own bundle.
std::vector<ScheduledChain> schedule_function(Function& fn, const CompileOptions& options,
                                              ScheduleStats* stats = nullptr);

}  // namespace nicsim::jit::nic
