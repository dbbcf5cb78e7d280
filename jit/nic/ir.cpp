#include "jit/nic/ir.h"

#include <algorithm>

namespace nicsim::jit::nic {

using firmware::OpClass;

uint16_t Op::reads() const {
  return firmware::registers_read(slot);
}

uint16_t Op::writes() const {
  uint16_t w = firmware::registers_written(slot);
  if (slot.op == OpClass::HCall) {
    w |= 0x3e;  // r1..r5 are clobbered (eBPF calling convention)
    if (slot.imm == 44 || slot.imm == 54 || slot.imm == 65)  // xdp_adjust_head/meta/tail
      w |= (1u << firmware::kPacketDataRegister) | (1u << firmware::kPacketEndRegister) |
           (1u << firmware::kPacketMetaRegister);
  }
  if (slot.op == OpClass::CallF) w |= 0x3f;  // r0..r5
  return w;
}

bool Op::has_side_effect() const {
  return is_memory() || is_call() || firmware::is_control_op(slot);
}

std::vector<int32_t> Function::successors(int32_t b) const {
  std::vector<int32_t> out;
  const Block& block = blocks[b];
  for (const Op& op : block.ops) {
    if (op.is_branch() && op.target >= 0) out.push_back(op.target);
  }
  if (block.next >= 0) out.push_back(block.next);
  return out;
}

std::vector<std::vector<int32_t>> Function::predecessors() const {
  std::vector<std::vector<int32_t>> preds(blocks.size());
  for (int32_t b = 0; b < static_cast<int32_t>(blocks.size()); ++b) {
    if (blocks[b].removed) continue;
    for (int32_t s : successors(b))
      preds[s].push_back(b);
  }
  return preds;
}

std::vector<int32_t> Function::reverse_postorder() const {
  std::vector<int32_t> order;
  std::vector<uint8_t> state(blocks.size(), 0);  // 0 new, 1 on stack, 2 done
  std::vector<std::pair<int32_t, size_t>> stack;
  stack.emplace_back(entry, 0);
  state[entry] = 1;
  while (!stack.empty()) {
    auto& [b, i] = stack.back();
    const std::vector<int32_t> succ = successors(b);
    if (i < succ.size()) {
      const int32_t s = succ[i++];
      if (state[s] == 0 && !blocks[s].removed) {
        state[s] = 1;
        stack.emplace_back(s, 0);
      }
      continue;
    }
    state[b] = 2;
    order.push_back(b);
    stack.pop_back();
  }
  std::reverse(order.begin(), order.end());
  return order;
}

size_t Function::op_count() const {
  size_t n = 0;
  for (const Block& b : blocks) {
    if (!b.removed) n += b.ops.size();
  }
  return n;
}

void remove_op(Block& block, size_t index) {
  std::vector<uint32_t> origins = std::move(block.ops[index].origins);
  block.ops.erase(block.ops.begin() + static_cast<ptrdiff_t>(index));
  if (block.ops.empty()) return;
  Op& heir = index < block.ops.size() ? block.ops[index] : block.ops[index - 1];
  heir.origins.insert(heir.origins.end(), origins.begin(), origins.end());
  std::sort(heir.origins.begin(), heir.origins.end());
}

int conditional_branch_index(const Block& block) {
  const auto& ops = block.ops;
  if (!ops.empty() && ops.back().is_conditional_branch()) return static_cast<int>(ops.size()) - 1;
  if (ops.size() >= 2 && ops.back().is_terminator() && ops[ops.size() - 2].is_conditional_branch())
    return static_cast<int>(ops.size()) - 2;
  return -1;
}

void make_branch_unconditional(Block& block, size_t index) {
  block.ops.resize(index + 1);
  Op& branch = block.ops[index];
  const uint16_t x12 = branch.slot.x12;
  branch.slot = firmware::make_jump(x12);
  block.next = -1;
}

}  // namespace nicsim::jit::nic
