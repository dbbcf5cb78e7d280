// Exit folding: the NIC's exit names its action (exit k) or any register (exit rX), and a
// branch can exit directly through an exit vector. So `r0 = k; exit` becomes `exit k`; a block
// that only exits is inlined into the blocks that jump or fall into it, and a conditional branch
// to it becomes a branch to exit vector k (0 <= k < 8), also when it is `exit rX` and rX holds k
// wherever the branch is taken.

#include "firmware/isa/opcodes.h"
#include "jit/nic/constants.h"
#include "jit/nic/passes/pass.h"

namespace nicsim::jit::nic {

using firmware::OpClass;

namespace {

// `exit rX` with rX known -> `exit k` when k survives the immediate's sign extension.
size_t fold_constant_exits(Function& fn) {
  const auto in = propagate_constants(fn);
  size_t changes = 0;
  for (size_t b = 0; b < fn.blocks.size(); ++b) {
    if (!in[b]) continue;
    Constants state = *in[b];
    for (Op& op : fn.blocks[b].ops) {
      if (op.slot.op == OpClass::ExitReg && state[op.slot.ra]) {
        const auto value = static_cast<int64_t>(*state[op.slot.ra]);
        if (value >= INT32_MIN && value <= INT32_MAX) {
          op.slot = firmware::make_exit_imm(static_cast<int32_t>(value));
          ++changes;
        }
      }
      constant_transfer(op, state);
    }
  }
  return changes;
}

// The exit a block consists of, if that is all it does.
const Op* exit_only(const Block& block) {
  if (block.removed || block.ops.size() != 1) return nullptr;
  const Op& op = block.ops[0];
  return firmware::is_exit_op(op.slot) ? &op : nullptr;
}

size_t fold_exit_blocks(Function& fn) {
  size_t changes = 0;
  for (Block& block : fn.blocks) {
    if (block.removed) continue;
    for (size_t i = 0; i < block.ops.size(); ++i) {
      Op& last = block.ops[i];
      if (last.is_branch() && last.target >= 0) {
        const Op* exit = exit_only(fn.blocks[last.target]);
        if (exit && last.is_jump()) {
          std::vector<uint32_t> origins = std::move(last.origins);
          last = *exit;
          last.origins.insert(last.origins.begin(), origins.begin(), origins.end());
          ++changes;
          break;
        }
        if (exit && exit->slot.op == OpClass::ExitImm && exit->slot.imm >= 0 &&
            exit->slot.imm < firmware::kNumExitVectors) {
          last.slot.x12 = static_cast<uint16_t>(firmware::kExitVectorBase + exit->slot.imm);
          last.target = -1;
          ++changes;
        }
      }
    }
    if (block.next >= 0) {
      if (const Op* exit = exit_only(fn.blocks[block.next])) {
        block.ops.push_back(*exit);
        block.next = -1;
        ++changes;
      }
    }
  }
  return changes;
}

// A conditional branch to a block that only does `exit rX`, where rX holds a known action
// 0..7 at the branch: a branch to that exit vector (the common "set the return code, then
// goto out" shape; the move then usually dies).
size_t fold_branches_to_register_exits(Function& fn) {
  const auto in = propagate_constants(fn);
  size_t changes = 0;
  for (size_t b = 0; b < fn.blocks.size(); ++b) {
    if (!in[b] || fn.blocks[b].removed) continue;
    Constants state = *in[b];
    for (Op& op : fn.blocks[b].ops) {
      if (op.is_conditional_branch() && op.target >= 0) {
        const Op* exit = exit_only(fn.blocks[op.target]);
        if (exit && exit->slot.op == OpClass::ExitReg && state[exit->slot.ra] &&
            *state[exit->slot.ra] < firmware::kNumExitVectors) {
          op.slot.x12 = static_cast<uint16_t>(firmware::kExitVectorBase + *state[exit->slot.ra]);
          op.target = -1;
          ++changes;
        }
      }
      constant_transfer(op, state);
    }
  }
  return changes;
}

}  // namespace

size_t run_exit_fold(PassContext& context) {
  size_t changes = fold_constant_exits(context.fn);
  changes += fold_exit_blocks(context.fn);
  changes += fold_branches_to_register_exits(context.fn);
  return changes;
}

}  // namespace nicsim::jit::nic
