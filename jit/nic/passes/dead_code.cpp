// Dead code: branches the facts decide (other than bounds checks, which have their own pass),
// blocks no path reaches, branches to their own fall-through, moves of a register to itself, and
// operations whose results no later operation reads. Straight lines left by removed branches
// are merged into single blocks.

#include "firmware/isa/address_map.h"
#include "jit/nic/liveness.h"
#include "jit/nic/passes/pass.h"

namespace nicsim::jit::nic {

using firmware::OpClass;

namespace {

// A load that cannot fault: the stack at a constant in-range offset from the frame pointer.
bool safe_load(const Op& op) {
  const firmware::Slot& s = op.slot;
  return s.op == OpClass::Load && s.load_mode == firmware::LoadMode::BaseImm &&
         s.ra == firmware::kFrameRegister && s.imm >= -static_cast<int32_t>(firmware::kStackSize) &&
         s.imm + s.size <= 0;
}

bool removable(const Op& op) {
  return !op.has_side_effect() || safe_load(op) ||
         ((op.safe || op.access_proven) && op.slot.op == OpClass::Load);
}

bool is_self_move(const Op& op) {
  const firmware::Slot& s = op.slot;
  return s.op == OpClass::Alu && s.func == firmware::AluFunc::Mov && !s.w32 &&
         s.b == firmware::OperandB::Reg && s.rb == s.rd;
}

size_t apply_branch_facts(PassContext& context) {
  size_t changes = 0;
  for (Block& block : context.fn.blocks) {
    const int index = block.removed ? -1 : conditional_branch_index(block);
    if (index < 0 || block.ops[static_cast<size_t>(index)].source < 0) continue;
    const InstructionFacts* f =
        context.facts.at(static_cast<size_t>(block.ops[static_cast<size_t>(index)].source));
    if (f == nullptr || f->bounds_check) continue;
    if (f->branch == BranchFact::NeverTaken) {
      remove_op(block, static_cast<size_t>(index));
      ++changes;
    } else if (f->branch == BranchFact::AlwaysTaken) {
      make_branch_unconditional(block, static_cast<size_t>(index));
      ++changes;
    }
  }
  return changes;
}

size_t remove_unreachable(Function& fn) {
  std::vector<bool> reachable(fn.blocks.size(), false);
  for (int32_t b : fn.reverse_postorder())
    reachable[b] = true;
  size_t changes = 0;
  for (size_t b = 0; b < fn.blocks.size(); ++b) {
    Block& block = fn.blocks[b];
    if (reachable[b] || block.removed) continue;
    changes += block.ops.size();
    block.ops.clear();
    block.removed = true;
    block.next = -1;
  }
  for (Block& block : fn.blocks) {
    if (block.removed || block.ops.empty()) continue;
    Op& last = block.ops.back();
    if (last.is_conditional_branch() && last.target >= 0 && last.target == block.next) {
      remove_op(block, block.ops.size() - 1);
      ++changes;
    }
  }
  return changes;
}

size_t remove_dead_operations(Function& fn) {
  size_t total = 0;
  for (;;) {
    size_t changes = 0;
    const Liveness liveness(fn);
    for (int32_t b : fn.reverse_postorder()) {
      Block& block = fn.blocks[b];
      uint16_t live = liveness.live_out(b);
      for (size_t i = block.ops.size(); i-- > 0;) {
        const Op& op = block.ops[i];
        if (is_self_move(op) || (removable(op) && (op.writes() & live) == 0)) {
          remove_op(block, i);
          ++changes;
          continue;
        }
        live = static_cast<uint16_t>((live & ~op.writes()) | op.reads());
      }
    }
    total += changes;
    if (changes == 0) return total;
  }
}

// A block that continues into a block nothing else enters (after branches were decided or
// removed) becomes one block with it, so that the block-local rewrites of the other passes see
// the whole straight line. A jump to such a block goes.
size_t merge_straight_lines(Function& fn) {
  size_t changes = 0;
  for (bool changed = true; changed;) {
    changed = false;
    const auto preds = fn.predecessors();
    for (int32_t a : fn.reverse_postorder()) {
      Block& block = fn.blocks[a];
      if (conditional_branch_index(block) >= 0) continue;
      int32_t b = block.next;
      const bool jumps = !block.ops.empty() && block.ops.back().is_jump() &&
                         !block.ops.back().exits_through_vector();
      if (jumps) b = block.ops.back().target;
      if (!block.ops.empty() && block.ops.back().is_exit()) continue;
      if (b < 0 || b == a || b == fn.entry || preds[b].size() != 1) continue;
      if (jumps) remove_op(block, block.ops.size() - 1);
      Block& into = fn.blocks[b];
      for (Op& op : into.ops)
        block.ops.push_back(std::move(op));
      block.next = into.next;
      into.ops.clear();
      into.next = -1;
      into.removed = true;
      ++changes;
      changed = true;
      break;  // the predecessor lists are stale
    }
  }
  return changes;
}

}  // namespace

size_t run_dead_code(PassContext& context) {
  size_t changes = apply_branch_facts(context);
  changes += remove_unreachable(context.fn);
  changes += remove_dead_operations(context.fn);
  changes += merge_straight_lines(context.fn);
  return changes;
}

}  // namespace nicsim::jit::nic
