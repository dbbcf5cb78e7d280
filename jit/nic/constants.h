#pragma once
// Constant propagation: which registers hold a known value at each point. Used by the
// const-fold, exit-fold and zeroing passes.

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "firmware/isa/opcodes.h"
#include "jit/nic/ir.h"

namespace nicsim::jit::nic {

using Constants = std::array<std::optional<uint64_t>, firmware::kNumOperandRegisters>;

// Applies `op` to `state`.
void constant_transfer(const Op& op, Constants& state);
// The value operand B of `op` has, when known (register, immediate or pool).
std::optional<uint64_t> operand_b(const Op& op, const Constants& state);

// The state at the entry of every reachable block (nullopt for unreachable ones). At the
// program entry r10 is the frame pointer and, for XDP programs, r1 the context window.
std::vector<std::optional<Constants>> propagate_constants(const Function& fn);

}  // namespace nicsim::jit::nic
