#include "jit/nic/liveness.h"

namespace nicsim::jit::nic {

namespace {

uint16_t transfer(const Op& op, uint16_t live) {
  return static_cast<uint16_t>((live & ~op.writes()) | op.reads());
}

}  // namespace

Liveness::Liveness(const Function& fn) : in_(fn.blocks.size(), 0), out_(fn.blocks.size(), 0) {
  const std::vector<int32_t> order = fn.reverse_postorder();
  bool changed = true;
  while (changed) {
    changed = false;
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      const int32_t b = *it;
      uint16_t out = 0;
      for (int32_t s : fn.successors(b))
        out |= in_[s];
      uint16_t live = out;
      const auto& ops = fn.blocks[b].ops;
      for (auto op = ops.rbegin(); op != ops.rend(); ++op)
        live = transfer(*op, live);
      if (out != out_[b] || live != in_[b]) {
        out_[b] = out;
        in_[b] = live;
        changed = true;
      }
    }
  }
}

uint16_t Liveness::live_after(const Function& fn, int32_t block, size_t index) const {
  uint16_t live = out_[block];
  const auto& ops = fn.blocks[block].ops;
  for (size_t i = ops.size(); i-- > index + 1;)
    live = transfer(ops[i], live);
  return live;
}

}  // namespace nicsim::jit::nic
