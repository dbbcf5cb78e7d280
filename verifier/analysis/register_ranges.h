#pragma once
// The numbers each register may hold before each instruction of one function, over every
// execution: a forward analysis over the scalar domain that joins at merges and refines on
// conditional jumps. The states the exploration records cannot bound values: pruning
// treats a scalar no check needed as "any value", so the executions of a pruned path hold
// numbers no recorded state shows. This analysis prunes nothing. Pointers are numbers it
// knows nothing about; a call leaves r0..r5 unknown.

#include <array>
#include <optional>
#include <vector>

#include "verifier/analysis/context.h"
#include "verifier/domain/scalar.h"
#include "verifier/state/state.h"

namespace nicsim::verifier {

using RegisterRanges = std::array<Scalar, kRegisterCount>;

// Indexed by instruction - the function's start; nullopt where no execution arrives (or at
// the second slot of an lddw). Empty for a function too large to analyse.
std::vector<std::optional<RegisterRanges>> register_ranges(const AnalysisContext& ctx,
                                                           int32_t function);

}  // namespace nicsim::verifier
