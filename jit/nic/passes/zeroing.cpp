// Zeroing removal. The hardware starts every packet with a zeroed stack (docs/nic-isa.md
// section 2), so a store of zero to stack bytes that nothing has written since is dropped. And a
// zero-extension (mov.32 r, r / and r, 0xffff...) of a value whose upper bits are already zero
// is dropped or becomes a copy.

#include <bitset>

#include "firmware/isa/address_map.h"
#include "jit/nic/constants.h"
#include "jit/nic/dataflow.h"
#include "jit/nic/passes/pass.h"
#include "jit/nic/widths.h"

namespace nicsim::jit::nic {

using firmware::AluFunc;
using firmware::OpClass;
using firmware::OperandB;
using firmware::SpecialReg;

namespace {

// --- stack bytes still zero ---

struct StackState {
  std::bitset<firmware::kStackSize> zero;  // bytes known to hold zero
  uint16_t not_stack = 0;                  // registers known not to point into the stack
  Constants constants;
};

bool join_stack(StackState& into, const StackState& from) {
  const auto zero = into.zero & from.zero;
  const uint16_t not_stack = into.not_stack & from.not_stack;
  bool changed = zero != into.zero || not_stack != into.not_stack;
  into.zero = zero;
  into.not_stack = not_stack;
  for (size_t r = 0; r < into.constants.size(); ++r) {
    if (into.constants[r] && into.constants[r] != from.constants[r]) {
      into.constants[r].reset();
      changed = true;
    }
  }
  return changed;
}

bool in_stack(uint64_t address) {
  return address >= firmware::kStackBase && address < firmware::kFramePointer;
}

// Where a store writes: the stack bytes [first, first + size), nowhere on the stack, or
// unknown (may be anywhere).
enum class Target { Stack, Elsewhere, Unknown };

Target store_target(const Op& op, const StackState& state, int64_t& first) {
  const firmware::Slot& s = op.slot;
  int64_t offset = s.imm;
  if (s.op == OpClass::Store && s.store_value != firmware::StoreValue::Reg) offset = s.offset12();
  if (const auto base = state.constants[s.ra]) {
    const uint64_t address = *base + static_cast<uint64_t>(offset);
    if (!in_stack(address))
      return firmware::region_of(address) == firmware::Region::Stack ? Target::Unknown
                                                                     : Target::Elsewhere;
    first = static_cast<int64_t>(address - firmware::kStackBase);
    return Target::Stack;
  }
  return (state.not_stack >> s.ra) & 1 ? Target::Elsewhere : Target::Unknown;
}

bool stores_zero(const Op& op, const StackState& state) {
  const firmware::Slot& s = op.slot;
  if (s.op != OpClass::Store) return false;
  if (s.store_value == firmware::StoreValue::Reg) return state.constants[s.rb] == uint64_t{0};
  return op.pool ? op.pool_value == 0 : s.imm == 0;
}

// Removes nothing; tells whether `op` is a redundant zero store, and applies it to `state`.
bool stack_transfer(const Op& op, StackState& state) {
  const firmware::Slot& s = op.slot;
  bool redundant = false;
  if (op.writes_memory()) {
    int64_t first = 0;
    const Target target = store_target(op, state, first);
    const int size = s.op == OpClass::Store ? s.size : (s.w32 ? 4 : 8);
    if (target == Target::Unknown) {
      state.zero.reset();
    } else if (target == Target::Stack) {
      const bool zero = s.op == OpClass::Store && stores_zero(op, state);
      bool all_zero = true;
      for (int64_t i = first; i < first + size && i < firmware::kStackSize; ++i) {
        all_zero = all_zero && state.zero[i];
        state.zero[i] = zero;
      }
      redundant = zero && all_zero && first + size <= firmware::kStackSize;
    }
  }
  // Registers that cannot point into the stack: packet addresses and small special registers,
  // results of helpers that return an address outside it or an action/errno, and small offsets
  // from those.
  const uint16_t before = state.not_stack;
  for (uint16_t w = op.writes(); w; w &= w - 1)
    state.not_stack &= ~(1u << __builtin_ctz(w));
  if (s.op == OpClass::Movs) {
    const auto reg = static_cast<SpecialReg>(s.imm);
    if (reg == SpecialReg::PktData || reg == SpecialReg::PktEnd || reg == SpecialReg::PktMeta ||
        reg == SpecialReg::PktLen || reg == SpecialReg::ContextId)
      state.not_stack |= 1u << s.rd;
  }
  if (s.op == OpClass::HCall && s.imm != 28) state.not_stack |= 1u;  // csum_diff: any value
  if (s.op == OpClass::Alu && (s.func == AluFunc::Add || s.func == AluFunc::Sub) && !s.w32 &&
      s.b == OperandB::Imm && ((before >> s.ra) & 1) && s.imm > -(1 << 24) && s.imm < (1 << 24))
    state.not_stack |= 1u << s.rd;
  if (s.op == OpClass::Alu && s.func == AluFunc::Mov && !s.w32 && s.b == OperandB::Reg &&
      ((before >> s.rb) & 1))
    state.not_stack |= 1u << s.rd;
  constant_transfer(op, state.constants);
  if (s.op == OpClass::Alu && state.constants[s.rd] && !in_stack(*state.constants[s.rd]))
    state.not_stack |= 1u << s.rd;
  return redundant;
}

std::vector<std::optional<StackState>> stack_states(const Function& fn) {
  StackState entry;
  entry.zero.set();
  entry.constants[firmware::kFrameRegister] = firmware::kFramePointer;
  if (fn.entry_kind == firmware::EntryKind::Xdp) {
    entry.constants[1] = firmware::kContextBase;
    entry.not_stack |= 1u << 1;
  }
  return forward_dataflow(
      fn, entry,
      [&fn](int32_t b, StackState& state) {
        for (const Op& op : fn.blocks[b].ops)
          stack_transfer(op, state);
      },
      join_stack);
}

size_t remove_zero_stores(Function& fn) {
  const auto in = stack_states(fn);
  size_t changes = 0;
  for (size_t b = 0; b < fn.blocks.size(); ++b) {
    if (!in[b]) continue;
    StackState state = *in[b];
    Block& block = fn.blocks[b];
    for (size_t i = 0; i < block.ops.size();) {
      if (stack_transfer(block.ops[i], state)) {
        remove_op(block, i);
        ++changes;
      } else {
        ++i;
      }
    }
  }
  return changes;
}

size_t remove_zero_extensions(Function& fn) {
  Widths entry;
  entry.fill(64);
  entry[firmware::kFrameRegister] = 30;
  if (fn.entry_kind == firmware::EntryKind::Xdp) entry[1] = 30;
  const auto in = forward_dataflow(
      fn, entry,
      [&fn](int32_t b, Widths& w) {
        for (const Op& op : fn.blocks[b].ops)
          width_transfer(op, w);
      },
      [](Widths& into, const Widths& from) {
        bool changed = false;
        for (size_t r = 0; r < into.size(); ++r) {
          if (from[r] > into[r]) {
            into[r] = from[r];
            changed = true;
          }
        }
        return changed;
      });
  size_t changes = 0;
  for (size_t b = 0; b < fn.blocks.size(); ++b) {
    if (!in[b]) continue;
    Widths w = *in[b];
    Block& block = fn.blocks[b];
    for (size_t i = 0; i < block.ops.size(); ++i) {
      Op& op = block.ops[i];
      firmware::Slot& s = op.slot;
      const bool zext32 = s.op == OpClass::Alu && s.func == AluFunc::Mov && s.w32 &&
                          s.b == OperandB::Reg && w[s.rb] <= 32;
      const bool mask = s.op == OpClass::Alu && s.func == AluFunc::And && s.b == OperandB::Imm &&
                        s.imm >= 0 && w[s.ra] <= (s.w32 ? 32 : 64) &&
                        ((~static_cast<uint64_t>(s.imm)) &
                         (w[s.ra] >= 64 ? ~uint64_t{0} : (uint64_t{1} << w[s.ra]) - 1)) == 0;
      if (zext32 || mask) {
        const uint8_t source = zext32 ? s.rb : s.ra;
        s = firmware::make_mov(false, s.rd, source);  // a copy (dropped when rd == source)
        ++changes;
      }
      width_transfer(op, w);
    }
  }
  return changes;
}

}  // namespace

std::vector<std::optional<std::bitset<firmware::kStackSize>>> zero_stack_at_entry(
    const Function& fn) {
  const auto states = stack_states(fn);
  std::vector<std::optional<std::bitset<firmware::kStackSize>>> out(states.size());
  for (size_t b = 0; b < states.size(); ++b)
    if (states[b]) out[b] = states[b]->zero;
  return out;
}

size_t run_zeroing(PassContext& context) {
  size_t changes = remove_zero_stores(context.fn);
  changes += remove_zero_extensions(context.fn);
  return changes;
}

}  // namespace nicsim::jit::nic
