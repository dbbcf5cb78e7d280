// Constant folding: with the registers' known values, an operation whose result is known
// becomes a move of that value, a known register operand becomes an immediate (or a pool
// constant), a constant left operand is swapped to the right, and a branch whose outcome is
// known is removed or becomes a jump.

#include <optional>
#include <vector>

#include "firmware/isa/address_map.h"
#include "firmware/isa/semantics.h"
#include "jit/nic/constants.h"
#include "jit/nic/dataflow.h"
#include "jit/nic/lower.h"
#include "jit/nic/passes/pass.h"
#include "jit/nic/widths.h"

namespace nicsim::jit::nic {

using firmware::AluFunc;
using firmware::OpClass;
using firmware::OperandB;

namespace {

bool fits_simm32(uint64_t v) {
  const auto s = static_cast<int64_t>(v);
  return s >= INT32_MIN && s <= INT32_MAX;
}

bool is_move_of(const Op& op, uint64_t value) {
  const firmware::Slot& s = op.slot;
  if (s.op != OpClass::Alu || s.func != AluFunc::Mov || s.b == OperandB::Reg) return false;
  if (op.pool) return op.pool_value == value;
  const uint64_t imm =
      s.w32 ? static_cast<uint32_t>(s.imm) : static_cast<uint64_t>(static_cast<int64_t>(s.imm));
  return imm == value;
}

// Operand B becomes the constant `value`; false when the form cannot hold it.
bool set_constant_b(Op& op, uint64_t value) {
  firmware::Slot& s = op.slot;
  if (s.w32 || fits_simm32(value)) {
    s.b = OperandB::Imm;
    s.rb = 0;
    s.imm = static_cast<int32_t>(static_cast<uint32_t>(value));
    op.pool = false;
    return true;
  }
  if (s.op != OpClass::Alu) return false;  // branches have no pool operand
  s.b = OperandB::Pool;
  s.rb = 0;
  s.imm = 0;
  op.pool = true;
  op.pool_value = value;
  return true;
}

bool commutative(AluFunc f) {
  return f == AluFunc::Add || f == AluFunc::Mul || f == AluFunc::And || f == AluFunc::Or ||
         f == AluFunc::Xor;
}

// Rewrites `op` under `state` (the values before it); returns true when it changed.
// `remove` is set when the operation disappears (a branch that is never taken).
bool fold(Op& op, const Constants& state, bool& remove, bool& jump) {
  firmware::Slot& s = op.slot;
  if (s.op == OpClass::Alu) {
    Constants after = state;
    constant_transfer(op, after);
    if (after[s.rd]) {
      if (is_move_of(op, *after[s.rd])) return false;
      Op folded = make_constant(s.rd, *after[s.rd]);
      folded.origins = std::move(op.origins);
      folded.source = op.source;
      op = std::move(folded);
      return true;
    }
    if (s.func == AluFunc::Mov || s.func == AluFunc::Ext) return false;
    if (s.b == OperandB::Reg && state[s.rb]) return set_constant_b(op, *state[s.rb]);
    if (s.b == OperandB::Reg && state[s.ra] && s.ra != s.rb) {
      AluFunc swapped;
      if (commutative(s.func))
        swapped = s.func;
      else if (s.func == AluFunc::Sub)
        swapped = AluFunc::Rsub;
      else if (s.func == AluFunc::Rsub)
        swapped = AluFunc::Sub;
      else
        return false;
      const uint64_t value = *state[s.ra];
      Op trial = op;
      trial.slot.func = swapped;
      trial.slot.ra = s.rb;
      if (!set_constant_b(trial, value)) return false;
      op = std::move(trial);
      return true;
    }
    return false;
  }
  if (s.op == OpClass::Branch && s.cond != firmware::Cond::Always) {
    const uint64_t addend = static_cast<uint64_t>(static_cast<int64_t>(s.imm));
    const std::optional<uint64_t> x =
        state[s.ra] ? std::optional<uint64_t>(*state[s.ra] + (s.b == OperandB::Reg ? addend : 0))
                    : std::nullopt;
    const std::optional<uint64_t> y = operand_b(op, state);
    if (x && y) {
      if (firmware::compare(s.cond, s.w32, *x, *y))
        jump = true;
      else
        remove = true;
      return true;
    }
    if (s.b != OperandB::Reg) return false;
    if (y && s.imm == 0) return set_constant_b(op, *y);
    if (state[s.ra] && s.imm == 0 && !y) {
      Op trial = op;
      trial.slot.cond = firmware::swap_operands(s.cond);
      trial.slot.ra = s.rb;
      if (!set_constant_b(trial, *state[s.ra])) return false;
      op = std::move(trial);
      return true;
    }
    return false;
  }
  if (s.op == OpClass::Store && s.store_value == firmware::StoreValue::Reg && state[s.rb] &&
      s.imm >= firmware::kX12Min && s.imm <= firmware::kX12Max) {
    const uint64_t value = *state[s.rb];
    const int32_t offset = s.imm;
    if (s.size <= 4 || fits_simm32(value)) {
      s = firmware::make_store_imm(s.size, s.ra, offset,
                                   static_cast<int32_t>(static_cast<uint32_t>(value)));
    } else {
      s = firmware::make_store_pool(s.size, s.ra, offset, 0);
      op.pool = true;
      op.pool_value = value;
    }
    return true;
  }
  return false;
}

// --- jump threading ---
//
// A branch known to hold on an edge decides the branches that follow it on that edge: after
// `jne r4, 0x81 -> T` is taken, a block T that only tests `jeq r4, 0x81` is decided, and the
// first branch can go straight to where T leads. Parsers that test a field, parse an optional
// header and test the field again do this on every packet.

struct Fact {
  uint8_t reg;
  bool w32;
  bool equal;  // reg == value, else reg != value
  uint64_t value;
};

std::optional<Fact> fact_of(const firmware::Slot& s, bool taken) {
  if (s.op != OpClass::Branch || s.b != OperandB::Imm ||
      (s.cond != firmware::Cond::Eq && s.cond != firmware::Cond::Ne))
    return std::nullopt;
  const bool equal = (s.cond == firmware::Cond::Eq) == taken;
  const uint64_t value = static_cast<uint64_t>(static_cast<int64_t>(s.imm));
  return Fact{s.ra, s.w32, equal, s.w32 ? static_cast<uint32_t>(value) : value};
}

std::optional<bool> decide(const std::vector<Fact>& facts, const firmware::Slot& s) {
  const std::optional<Fact> test = fact_of(s, true);
  if (!test) return std::nullopt;
  for (const Fact& f : facts) {
    if (f.reg != test->reg || f.w32 != test->w32) continue;
    // What the branch asks: reg == value (eq) or reg != value (ne).
    const bool asks_equal = s.cond == firmware::Cond::Eq;
    if (f.equal) return (f.value == test->value) == asks_equal;
    if (f.value == test->value) return !asks_equal;
  }
  return std::nullopt;
}

// Follows `start` through blocks that are nothing but a branch the facts decide; returns the
// block reached (or -2 - exit action for an exit vector), or `start` when nothing is decided.
int32_t thread(const Function& fn, int32_t start, std::vector<Fact> facts) {
  int32_t at = start;
  for (int step = 0; step < 8; ++step) {
    const Block& block = fn.blocks[at];
    if (block.removed || block.ops.size() != 1 || !block.ops[0].is_conditional_branch()) break;
    const Op& branch = block.ops[0];
    const std::optional<bool> taken = decide(facts, branch.slot);
    if (!taken) break;
    if (*taken && branch.exits_through_vector())
      return -2 - (branch.slot.target() - firmware::kExitVectorBase);
    const int32_t next = *taken ? branch.target : block.next;
    if (next < 0 || next == at) break;
    if (const auto f = fact_of(branch.slot, *taken)) facts.push_back(*f);
    at = next;
  }
  return at;
}

size_t thread_jumps(Function& fn) {
  const auto preds = fn.predecessors();
  size_t changes = 0;
  for (int32_t b = 0; b < static_cast<int32_t>(fn.blocks.size()); ++b) {
    Block& block = fn.blocks[b];
    const int index = block.removed ? -1 : conditional_branch_index(block);
    if (index < 0) continue;
    // Facts true before the branch: the untaken branches of the fall-through chain above, for
    // registers nothing below them has written.
    std::vector<Fact> before;
    uint16_t written = 0;
    for (size_t i = 0; i < static_cast<size_t>(index); ++i)
      written |= block.ops[i].writes();
    for (int32_t x = b, hops = 0; hops < 4; ++hops) {
      if (preds[x].size() != 1) break;
      const Block& p = fn.blocks[preds[x][0]];
      if (p.next != x || p.ops.empty() || !p.ops.back().is_conditional_branch()) break;
      if (const auto f = fact_of(p.ops.back().slot, false); f && !((written >> f->reg) & 1))
        before.push_back(*f);
      for (const Op& op : p.ops)
        written |= op.writes();
      x = preds[x][0];
    }
    Op& branch = block.ops[static_cast<size_t>(index)];
    if (branch.target >= 0) {
      std::vector<Fact> taken = before;
      if (const auto f = fact_of(branch.slot, true)) taken.push_back(*f);
      const int32_t to = thread(fn, branch.target, taken);
      if (to <= -2) {
        branch.slot.x12 = static_cast<uint16_t>(firmware::kExitVectorBase + (-2 - to));
        branch.target = -1;
        ++changes;
      } else if (to != branch.target) {
        branch.target = to;
        ++changes;
      }
    }
    if (block.next >= 0 && static_cast<size_t>(index) + 1 == block.ops.size()) {
      std::vector<Fact> fall = before;
      if (const auto f = fact_of(branch.slot, false)) fall.push_back(*f);
      const int32_t to = thread(fn, block.next, fall);
      if (to >= 0 && to != block.next) {
        block.next = to;
        ++changes;
      }
    }
  }
  return changes;
}

// --- array map lookups ---
//
// In an array map the value of key k is at base + k * stride (docs/nic-isa.md section 10): a
// lookup whose key is known to be in range is that address, computed in the ALU instead of by
// the map engine (no helper wait). The key is what the last store to the key's stack bytes
// wrote, when nothing in between can have changed them.

std::optional<int> log2_exact(uint32_t v) {
  if (v == 0 || (v & (v - 1)) != 0) return std::nullopt;
  return __builtin_ctz(v);
}

size_t inline_array_lookups(Function& fn, std::span<const firmware::MapLayout> maps) {
  const auto in = propagate_constants(fn);
  const auto widths_in = forward_dataflow(
      fn, entry_widths(fn),
      [&fn](int32_t b, Widths& w) {
        for (const Op& op : fn.blocks[b].ops)
          width_transfer(op, w);
      },
      join_widths);
  const auto zero_in = zero_stack_at_entry(fn);
  size_t changes = 0;
  for (size_t b = 0; b < fn.blocks.size(); ++b) {
    if (!in[b] || !widths_in[b]) continue;
    Block& block = fn.blocks[b];
    Constants state = *in[b];
    Widths widths = *widths_in[b];
    for (size_t h = 0; h < block.ops.size(); ++h) {
      const Op& call = block.ops[h];
      if (call.slot.op == OpClass::HCall && call.slot.imm == 1 && state[1] && state[2]) {
        const int map =
            static_cast<int>((*state[1] - firmware::kMapHandleBase) / firmware::kMapHandleStride);
        const bool handle = *state[1] >= firmware::kMapHandleBase && map >= 0 &&
                            static_cast<size_t>(map) < maps.size() &&
                            *state[1] == firmware::map_handle(static_cast<uint32_t>(map));
        const firmware::MapLayout* layout = handle ? &maps[static_cast<size_t>(map)] : nullptr;
        if (layout &&
            (layout->type == ebpf::MapType::Array || layout->type == ebpf::MapType::PercpuArray) &&
            layout->key_size == 4 && layout->capacity >= layout->max_entries) {
          const uint64_t key_address = *state[2];
          // The last store to the key's bytes, in this block, from the frame pointer.
          std::optional<Op> value_of_key;
          bool reached_start = false;  // nothing in the block before the call writes the key
          for (size_t k = h;;) {
            if (k-- == 0) {
              reached_start = true;
              break;
            }
            const Op& op = block.ops[k];
            if (op.is_call()) break;
            if (!op.writes_memory()) continue;
            const firmware::Slot& s = op.slot;
            const int64_t offset =
                s.op == OpClass::Store && s.store_value != firmware::StoreValue::Reg ? s.offset12()
                                                                                     : s.imm;
            if (s.op == OpClass::Store && s.ra == firmware::kFrameRegister && s.size == 4 &&
                firmware::kFramePointer + static_cast<uint64_t>(offset) == key_address) {
              bool register_kept = true;
              if (s.store_value == firmware::StoreValue::Reg) {
                for (size_t j = k + 1; j < h; ++j)
                  register_kept &= !(block.ops[j].writes() & (1u << s.rb));
              }
              if (register_kept && s.store_value != firmware::StoreValue::Pool) value_of_key = op;
              break;
            }
            // Any other store may write the key's bytes unless it provably writes elsewhere.
            if (!(s.op == OpClass::Store && s.ra == firmware::kFrameRegister &&
                  (firmware::kFramePointer + static_cast<uint64_t>(offset) + s.size <=
                       key_address ||
                   firmware::kFramePointer + static_cast<uint64_t>(offset) >= key_address + 4)))
              break;
          }
          // Bytes no store wrote since the packet started are zero (docs/nic-isa.md section 2).
          const bool key_in_stack =
              key_address >= firmware::kStackBase && key_address + 4 <= firmware::kFramePointer;
          if (reached_start && !value_of_key && key_in_stack && zero_in[b]) {
            const size_t first = key_address - firmware::kStackBase;
            bool zero = true;
            for (size_t i = first; i < first + 4; ++i)
              zero = zero && (*zero_in[b])[i];
            if (zero) {
              Op zero_store;
              zero_store.slot = firmware::make_store_imm(4, firmware::kFrameRegister, 0, 0);
              value_of_key = zero_store;
            }
          }
          std::vector<Op> address;
          if (value_of_key && value_of_key->slot.store_value == firmware::StoreValue::Imm) {
            const uint64_t key = static_cast<uint32_t>(value_of_key->slot.imm);
            address.push_back(make_constant(
                0, key < layout->max_entries ? uint64_t{layout->base} + key * layout->stride : 0));
          } else if (value_of_key) {
            const uint8_t reg = value_of_key->slot.rb;
            const auto shift = log2_exact(layout->stride);
            if (widths[reg] <= 31 && (uint64_t{1} << widths[reg]) <= layout->max_entries && shift) {
              Op scale, add;
              scale.slot = firmware::make_alu_imm(AluFunc::Lsh, false, 0, reg, *shift);
              add.slot = firmware::make_alu_imm(AluFunc::Add, false, 0, 0,
                                                static_cast<int32_t>(layout->base));
              address = {scale, add};
            }
          }
          if (!address.empty()) {
            const bool nonzero = address.size() == 2 || address.front().slot.imm != 0;
            address.front().origins = call.origins;
            address.front().source = call.source;
            block.ops.erase(block.ops.begin() + static_cast<ptrdiff_t>(h));
            block.ops.insert(block.ops.begin() + static_cast<ptrdiff_t>(h), address.begin(),
                             address.end());
            ++changes;
            // The null check that follows the lookup is decided: an array value's address.
            const int index = conditional_branch_index(block);
            if (nonzero && index > static_cast<int>(h)) {
              const firmware::Slot br = block.ops[static_cast<size_t>(index)].slot;
              bool kept = true;
              for (size_t j = h + address.size(); j < static_cast<size_t>(index); ++j)
                kept &= !(block.ops[j].writes() & 1u);
              if (kept && br.ra == 0 && br.b == OperandB::Imm && br.imm == 0 && !br.w32) {
                if (br.cond == firmware::Cond::Eq)
                  remove_op(block, static_cast<size_t>(index));
                else if (br.cond == firmware::Cond::Ne)
                  make_branch_unconditional(block, static_cast<size_t>(index));
              }
            }
          }
        }
      }
      constant_transfer(block.ops[h], state);
      width_transfer(block.ops[h], widths);
    }
  }
  return changes;
}

}  // namespace

size_t run_const_fold(PassContext& context) {
  Function& fn = context.fn;
  const auto in = propagate_constants(fn);
  size_t changes = 0;
  for (size_t b = 0; b < fn.blocks.size(); ++b) {
    if (!in[b] || fn.blocks[b].removed) continue;
    Block& block = fn.blocks[b];
    Constants state = *in[b];
    for (size_t i = 0; i < block.ops.size(); ++i) {
      bool remove = false, jump = false;
      if (fold(block.ops[i], state, remove, jump)) ++changes;
      if (remove) {
        remove_op(block, i);  // a never-taken branch: the block falls through
        break;
      }
      if (jump) {
        make_branch_unconditional(block, i);
        break;
      }
      constant_transfer(block.ops[i], state);
    }
  }
  changes += thread_jumps(fn);
  changes += inline_array_lookups(fn, context.maps);
  return changes;
}

}  // namespace nicsim::jit::nic
