#pragma once
// Tree-height reduction before scheduling: a chain `acc = acc op t1; acc = acc op t2; ...` of
// one associative and commutative ALU operation (add, or, and, xor; 64- or 32-bit alike) is
// rebalanced, pair by pair, into `tmp = t1 op t2; acc = acc op tmp`, so that the terms combine
// in parallel and the accumulator waits for a tree of depth log2(n) instead of n operations.
// The 16-bit checksum sums of the IPv4 header are the chains this is for.

#include <cstddef>

#include "jit/nic/ir.h"

namespace nicsim::jit::nic {

// Returns how many pairs were combined.
size_t reassociate_chains(Function& fn);

}  // namespace nicsim::jit::nic
