#include "jit/nic/rename.h"

#include "jit/nic/liveness.h"

namespace nicsim::jit::nic {

using firmware::OpClass;

namespace {

constexpr uint16_t kAllocatable = 0x3ff;  // r0..r9

uint16_t bit(uint8_t r) {
  return static_cast<uint16_t>(1u << r);
}

// Renames the explicit source fields of `s` that name `from`. Register fields that are also
// destinations (cmpxchg's rd) are left alone: the caller sees the read remain and gives up.
void rename_sources(firmware::Slot& s, uint8_t from, uint8_t to) {
  const auto swap = [&](uint8_t& field) {
    if (field == from) field = to;
  };
  switch (s.op) {
    case OpClass::Alu:
      if (s.func != firmware::AluFunc::Mov) swap(s.ra);
      if (s.b == firmware::OperandB::Reg) swap(s.rb);
      break;
    case OpClass::Load:
      swap(s.ra);
      if (s.load_mode == firmware::LoadMode::BaseIndex) swap(s.rb);
      break;
    case OpClass::Store:
      swap(s.ra);
      if (s.store_value == firmware::StoreValue::Reg) swap(s.rb);
      break;
    case OpClass::Branch:
      if (s.cond == firmware::Cond::Always) break;
      swap(s.ra);
      if (s.b == firmware::OperandB::Reg) swap(s.rb);
      break;
    case OpClass::ExitReg:
      swap(s.ra);
      break;
    case OpClass::Atomic:
    case OpClass::Xchg:
      swap(s.ra);
      swap(s.rb);
      break;
    default:
      break;
  }
}

bool renamable_definition(const Op& op) {
  const firmware::Slot& s = op.slot;
  return (s.op == OpClass::Alu || s.op == OpClass::Movs || s.op == OpClass::Load) &&
         op.writes() == bit(s.rd) && s.rd < firmware::kFrameRegister;
}

size_t rename_in_block(Block& block, uint16_t live_in, uint16_t live_out) {
  uint16_t used = live_in | live_out;
  for (const Op& op : block.ops)
    used |= op.reads() | op.writes();
  uint16_t free = static_cast<uint16_t>(kAllocatable & ~used);
  size_t renamed = 0;
  uint16_t touched = 0;  // registers read or written by the operations before i
  for (size_t i = 0; i < block.ops.size() && free != 0; ++i) {
    Op& def = block.ops[i];
    const uint16_t before = touched;
    touched |= def.reads() | def.writes();
    if (!renamable_definition(def)) continue;
    const uint8_t x = def.slot.rd;
    if (!(before & bit(x))) continue;  // nothing holds it back
    // The value must die inside the block: redefined before any branch can take it elsewhere,
    // or dead at the block's end and at every branch target.
    std::vector<size_t> uses;
    bool redefined = false, branched = false;
    for (size_t j = i + 1; j < block.ops.size() && !redefined; ++j) {
      if (block.ops[j].reads() & bit(x)) uses.push_back(j);
      branched |= block.ops[j].is_branch();
      redefined = (block.ops[j].writes() & bit(x)) != 0;
    }
    if ((!redefined || branched) && (live_out & bit(x))) continue;
    const auto y = static_cast<uint8_t>(__builtin_ctz(free));
    std::vector<firmware::Slot> renamed_uses;
    bool ok = true;
    for (size_t j : uses) {
      Op copy = block.ops[j];
      rename_sources(copy.slot, x, y);
      if (copy.reads() & bit(x)) {
        ok = false;  // an implicit or read-and-written use: keep the register
        break;
      }
      renamed_uses.push_back(copy.slot);
    }
    if (!ok) continue;
    for (size_t k = 0; k < uses.size(); ++k)
      block.ops[uses[k]].slot = renamed_uses[k];
    def.slot.rd = y;
    free = static_cast<uint16_t>(free & ~bit(y));
    touched |= bit(y);
    ++renamed;
  }
  return renamed;
}

}  // namespace

size_t rename_registers(Function& fn) {
  const Liveness liveness(fn);
  size_t renamed = 0;
  for (int32_t b : fn.reverse_postorder())
    renamed += rename_in_block(fn.blocks[b], liveness.live_in(b), liveness.live_out(b));
  return renamed;
}

}  // namespace nicsim::jit::nic
