#include "jit/common/instruction_blocks.h"

#include "ebpf/runtime/helpers.h"

namespace nicsim::jit {

using ebpf::Instruction;

namespace {

void mark(std::vector<bool>& leader, int64_t slot) {
  if (slot >= 0 && static_cast<size_t>(slot) < leader.size())
    leader[static_cast<size_t>(slot)] = true;
}

// Whether control may leave the straight line after `insn`.
bool ends_block(const Instruction& insn) {
  if (insn.is_branch() || insn.is_exit() || insn.is_local_call() || insn.is_callx()) return true;
  return insn.is_helper_call() && insn.imm == ebpf::kHelperTailCall;
}

}  // namespace

BlockPlan plan_blocks(std::span<const Instruction> insns) {
  const size_t n = insns.size();
  BlockPlan plan;
  plan.leader.assign(n, false);
  plan.length.assign(n, 0);
  plan.remaining_after.assign(n, 0);
  plan.block_start.assign(n, 0);
  if (n == 0) return plan;
  plan.leader[0] = true;
  for (size_t i = 0; i < n; i += insns[i].is_lddw() ? 2 : 1) {
    const Instruction& insn = insns[i];
    const auto here = static_cast<int64_t>(i);
    if (insn.is_branch()) mark(plan.leader, here + insn.branch_offset() + 1);
    if (insn.is_local_call()) mark(plan.leader, here + insn.imm + 1);
    if (insn.is_lddw() && insn.src() == ebpf::kLddwFunc) mark(plan.leader, here + insn.imm + 1);
    if (ends_block(insn)) mark(plan.leader, here + 1);
  }
  // Walk each block once to fill its length and every member's remaining count.
  std::vector<size_t> members;
  size_t i = 0;
  while (i < n) {
    const size_t start = i;
    members.clear();
    do {
      members.push_back(i);
      i += insns[i].is_lddw() ? 2 : 1;
    } while (i < n && !plan.leader[i]);
    plan.length[start] = static_cast<uint32_t>(members.size());
    for (size_t k = 0; k < members.size(); ++k) {
      plan.remaining_after[members[k]] = static_cast<uint32_t>(members.size() - 1 - k);
      plan.block_start[members[k]] = static_cast<uint32_t>(start);
    }
  }
  return plan;
}

size_t nth_instruction_of_block(std::span<const Instruction> insns, size_t leader, uint64_t count) {
  size_t slot = leader;
  for (uint64_t k = 0; k < count && slot < insns.size(); ++k)
    slot += insns[slot].is_lddw() ? 2 : 1;
  return slot;
}

}  // namespace nicsim::jit
