#include "jit/nic/hoist.h"

#include <algorithm>

#include "jit/nic/liveness.h"

namespace nicsim::jit::nic {

using firmware::OpClass;

namespace {

bool branch_only(const Block& block) {
  return block.ops.size() == 1 && block.ops[0].is_conditional_branch() && block.next >= 0;
}

// May run on a path that would not have run it, when nothing there reads what it writes.
bool runs_anywhere(const Op& op) {
  const firmware::Slot& s = op.slot;
  if (s.op == OpClass::Alu || s.op == OpClass::Movs) return !firmware::uses_divider(s);
  return s.op == OpClass::Load && op.access_proven && !s.sign_extend &&
         s.load_mode == firmware::LoadMode::BaseImm;
}

// The dominating block of a switch join into `join`: A falls through a run of blocks that are
// one conditional branch each into `join`, and every edge into `join` comes from that run.
// Returns A (-1 when `join` is not such a join) and fills `run` with the branch-only blocks.
int32_t switch_head(const Function& fn, const std::vector<std::vector<int32_t>>& preds,
                    int32_t join, std::vector<int32_t>& run) {
  run.clear();
  int32_t at = -1;
  for (int32_t p : preds[join]) {
    if (fn.blocks[p].next == join && branch_only(fn.blocks[p])) at = p;
  }
  if (at < 0) return -1;
  while (branch_only(fn.blocks[at]) && preds[at].size() == 1 &&
         fn.blocks[preds[at][0]].next == at) {
    run.push_back(at);
    at = preds[at][0];
  }
  const Block& head = fn.blocks[at];
  if (run.empty() || at == join || head.ops.empty() || !head.ops.back().is_conditional_branch())
    return -1;
  for (int32_t p : preds[join]) {
    if (p != at && std::find(run.begin(), run.end(), p) == run.end()) return -1;
  }
  return at;
}

}  // namespace

size_t hoist_from_switch_joins(Function& fn) {
  size_t moved = 0;
  for (int32_t join = 0; join < static_cast<int32_t>(fn.blocks.size()); ++join) {
    if (fn.blocks[join].removed || join == fn.entry) continue;
    const auto preds = fn.predecessors();
    if (preds[join].size() < 2) continue;
    std::vector<int32_t> run;
    const int32_t head = switch_head(fn, preds, join, run);
    if (head < 0) continue;
    // What the other targets of the branches read, and what the branches themselves read.
    const Liveness liveness(fn);
    uint16_t elsewhere = 0, branches_read = fn.blocks[head].ops.back().reads();
    std::vector<int32_t> deciding = run;
    deciding.push_back(head);
    for (int32_t b : deciding) {
      const Op& branch = fn.blocks[b].ops.back();
      branches_read |= branch.reads();
      if (branch.target >= 0 && branch.target != join) elsewhere |= liveness.live_in(branch.target);
      if (fn.blocks[b].next >= 0 && fn.blocks[b].next != join &&
          std::find(run.begin(), run.end(), fn.blocks[b].next) == run.end())
        elsewhere |= liveness.live_in(fn.blocks[b].next);
    }
    Block& target = fn.blocks[join];
    Block& dominator = fn.blocks[head];
    while (!target.ops.empty() && runs_anywhere(target.ops.front())) {
      Op op = target.ops.front();
      if (op.writes() & (elsewhere | branches_read)) break;
      if (op.slot.op == OpClass::Load)
        op.slot = firmware::make_load_no_fault(op.slot.size, op.slot.rd, op.slot.ra, op.slot.imm);
      dominator.ops.insert(dominator.ops.end() - 1, std::move(op));
      target.ops.erase(target.ops.begin());
      ++moved;
    }
  }
  return moved;
}

}  // namespace nicsim::jit::nic
