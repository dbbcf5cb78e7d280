#pragma once
// Forward dataflow over the blocks of a Function: the state at each block's entry, iterated to
// a fixpoint in reverse postorder. `transfer(block, state)` applies a whole block;
// `join(into, from)` merges `from` into `into` and returns whether `into` changed.

#include <optional>
#include <vector>

#include "jit/nic/ir.h"

namespace nicsim::jit::nic {

template <typename State, typename Transfer, typename Join>
std::vector<std::optional<State>> forward_dataflow(const Function& fn, const State& entry,
                                                   Transfer transfer, Join join) {
  std::vector<std::optional<State>> in(fn.blocks.size());
  in[fn.entry] = entry;
  const std::vector<int32_t> order = fn.reverse_postorder();
  bool changed = true;
  while (changed) {
    changed = false;
    for (int32_t b : order) {
      if (!in[b]) continue;
      State out = *in[b];
      transfer(b, out);
      for (int32_t s : fn.successors(b)) {
        if (!in[s]) {
          in[s] = out;
          changed = true;
        } else if (join(*in[s], out)) {
          changed = true;
        }
      }
    }
  }
  return in;
}

}  // namespace nicsim::jit::nic
