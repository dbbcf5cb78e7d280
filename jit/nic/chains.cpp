#include "jit/nic/chains.h"

#include <algorithm>

#include "firmware/isa/bundle.h"

namespace nicsim::jit::nic {

// Copies small blocks with several predecessors into the predecessors that jump or fall into
// them, so that superblocks run on through what were join points (and the jumps go). The copy
// budget bounds the code growth.
size_t duplicate_tails(Function& fn, ScheduleStats& stats) {
  constexpr size_t kMaxBlock = 8;
  size_t budget = std::max<size_t>(16, fn.op_count() / 3);
  size_t copied = 0;
  for (bool changed = true; changed && budget > 0;) {
    changed = false;
    const auto preds = fn.predecessors();
    for (int32_t b : fn.reverse_postorder()) {
      const Block& target = fn.blocks[b];
      if (b == fn.entry || target.ops.size() > kMaxBlock || preds[b].size() < 2) continue;
      // Copies must not make new join points below: the block ends the packet, or continues
      // into a block that is a join point already.
      const bool exits = !target.ops.empty() && firmware::is_exit_op(target.ops.back().slot);
      int32_t successor = target.next;
      if (!target.ops.empty() && target.ops.back().is_jump()) successor = target.ops.back().target;
      const bool joins =
          conditional_branch_index(target) < 0 && successor >= 0 && preds[successor].size() >= 2;
      if (!exits && !joins) continue;
      for (int32_t p : preds[b]) {
        Block& pred = fn.blocks[p];
        if (p == b || target.ops.size() > budget) continue;
        const bool jumps =
            !pred.ops.empty() && pred.ops.back().is_jump() && pred.ops.back().target == b;
        const bool falls = pred.next == b && conditional_branch_index(pred) < 0;
        if (!jumps && !falls) continue;
        if (jumps) pred.ops.pop_back();
        const std::vector<Op> copy = fn.blocks[b].ops;  // the target may be the predecessor's own
        pred.ops.insert(pred.ops.end(), copy.begin(), copy.end());
        pred.next = fn.blocks[b].next;
        budget -= copy.size();
        copied += copy.size();
        changed = true;
        break;  // predecessors changed: look again
      }
      if (changed) break;
    }
  }
  stats.duplicated = copied;
  return copied;
}

std::vector<std::vector<int32_t>> form_chains(const Function& fn, bool superblocks) {
  const std::vector<int32_t> order = fn.reverse_postorder();
  const auto preds = fn.predecessors();
  const auto interior = [&](int32_t b) {
    return superblocks && b != fn.entry && preds[b].size() == 1 &&
           fn.blocks[preds[b][0]].next == b && preds[b][0] != b;
  };
  std::vector<std::vector<int32_t>> chains;
  for (int32_t b : order) {
    if (interior(b)) continue;
    std::vector<int32_t> chain = {b};
    for (int32_t x = b; fn.blocks[x].next >= 0 && interior(fn.blocks[x].next);) {
      x = fn.blocks[x].next;
      chain.push_back(x);
    }
    chains.push_back(std::move(chain));
  }
  return chains;
}

// Orders the chains so that fall-through edges are kept where possible: a branch whose
// fall-through chain is already placed is inverted when its target chain can follow instead,
// otherwise a jump is added.
std::vector<int> lay_out(Function& fn, const std::vector<std::vector<int32_t>>& chains,
                         ScheduleStats& stats) {
  std::vector<int> chain_of(fn.blocks.size(), -1);
  for (size_t c = 0; c < chains.size(); ++c)
    chain_of[chains[c][0]] = static_cast<int>(c);
  std::vector<bool> placed(chains.size(), false);
  std::vector<int> order;
  int current = chain_of[fn.entry];
  while (current >= 0) {
    placed[current] = true;
    order.push_back(current);
    Block& last = fn.blocks[chains[current].back()];
    int next = -1;
    if (last.next >= 0) {
      const int fallthrough = chain_of[last.next];
      if (!placed[fallthrough]) {
        next = fallthrough;
      } else {
        Op* branch = last.ops.empty() ? nullptr : &last.ops.back();
        if (branch && branch->is_conditional_branch() && branch->target >= 0 &&
            !placed[chain_of[branch->target]]) {
          branch->slot.cond = firmware::invert(branch->slot.cond);
          std::swap(branch->target, last.next);
          next = chain_of[last.next];
          ++stats.branches_inverted;
        } else {
          Op jump;
          jump.slot = firmware::make_jump(0);
          jump.target = last.next;
          last.ops.push_back(jump);
          last.next = -1;
          ++stats.jumps_added;
        }
      }
    }
    if (next < 0) {
      for (size_t c = 0; c < chains.size(); ++c) {
        if (!placed[c]) {
          next = static_cast<int>(c);
          break;
        }
      }
    }
    current = next;
  }
  return order;
}

}  // namespace nicsim::jit::nic
