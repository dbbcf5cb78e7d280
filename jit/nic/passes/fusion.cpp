// Three-operand fusion. eBPF is two-operand (r3 = r1; r3 += 14); the NIC's operations name two
// sources and a destination, take a base+offset or base+index address, and compare an added
// left operand. So:
//  * copies are propagated into their uses (the copy then dies),
//  * an add-immediate is folded into the addresses, compares and adds that use its result
//    (also an in-place one, `r += k`, when its result dies in those uses),
//  * an add of two registers into the index of a load,
//  * shift pairs (<< 32 >> 32, ...) become one zero- or sign-extension,
//  * context loads (ctx->data, ...) become special-register reads, and data_end - data the
//    packet length.

#include <algorithm>
#include <vector>

#include "firmware/isa/address_map.h"
#include "jit/nic/constants.h"
#include "jit/nic/dataflow.h"
#include "jit/nic/liveness.h"
#include "jit/nic/passes/pass.h"

namespace nicsim::jit::nic {

using firmware::AluFunc;
using firmware::OpClass;
using firmware::OperandB;
using firmware::SpecialReg;

namespace {

bool fits_int32(int64_t v) {
  return v >= INT32_MIN && v <= INT32_MAX;
}
bool fits_x12(int64_t v) {
  return v >= firmware::kX12Min && v <= firmware::kX12Max;
}
uint16_t bit(uint8_t r) {
  return static_cast<uint16_t>(1u << r);
}

// --- copy propagation ---

using Copies = std::array<int8_t, firmware::kNumOperandRegisters>;

void copy_transfer(const Op& op, Copies& copies) {
  for (uint16_t w = op.writes(); w; w &= w - 1) {
    const int r = __builtin_ctz(w);
    copies[r] = -1;
    for (auto& c : copies) {
      if (c == r) c = -1;
    }
  }
  const firmware::Slot& s = op.slot;
  if (s.op == OpClass::Alu && s.func == AluFunc::Mov && !s.w32 && s.b == OperandB::Reg &&
      s.rd != s.rb) {
    const int8_t source = copies[s.rb] >= 0 ? copies[s.rb] : static_cast<int8_t>(s.rb);
    if (source != s.rd) copies[s.rd] = source;
  }
}

// Renames the registers `op` reads to the registers they copy; returns how many it renamed.
size_t rename_reads(Op& op, const Copies& copies) {
  firmware::Slot& s = op.slot;
  size_t renamed = 0;
  const auto rename = [&](uint8_t& reg) {
    if (copies[reg] >= 0) {
      reg = static_cast<uint8_t>(copies[reg]);
      ++renamed;
    }
  };
  switch (s.op) {
    case OpClass::Alu:
      if (s.func != AluFunc::Mov) rename(s.ra);
      if (s.b == OperandB::Reg) rename(s.rb);
      break;
    case OpClass::Load:
      rename(s.ra);
      if (s.load_mode == firmware::LoadMode::BaseIndex) rename(s.rb);
      break;
    case OpClass::Store:
      rename(s.ra);
      if (s.store_value == firmware::StoreValue::Reg) rename(s.rb);
      break;
    case OpClass::Atomic:
    case OpClass::Xchg:
    case OpClass::Cmpxchg:
      rename(s.ra);
      rename(s.rb);
      break;
    case OpClass::Branch:
      if (s.cond == firmware::Cond::Always) break;
      rename(s.ra);
      if (s.b == OperandB::Reg) rename(s.rb);
      break;
    case OpClass::ExitReg:
      rename(s.ra);
      break;
    default:
      break;
  }
  return renamed;
}

size_t propagate_copies(Function& fn) {
  const auto in = forward_dataflow(
      fn,
      [] {
        Copies c;
        c.fill(-1);
        return c;
      }(),
      [&fn](int32_t b, Copies& state) {
        for (const Op& op : fn.blocks[b].ops)
          copy_transfer(op, state);
      },
      [](Copies& into, const Copies& from) {
        bool changed = false;
        for (size_t r = 0; r < into.size(); ++r) {
          if (into[r] >= 0 && into[r] != from[r]) {
            into[r] = -1;
            changed = true;
          }
        }
        return changed;
      });
  size_t changes = 0;
  for (size_t b = 0; b < fn.blocks.size(); ++b) {
    if (!in[b]) continue;
    Copies state = *in[b];
    for (Op& op : fn.blocks[b].ops) {
      changes += rename_reads(op, state);
      copy_transfer(op, state);
    }
  }
  return changes;
}

// --- context loads and the packet length ---

size_t special_registers(Function& fn) {
  const auto in = propagate_constants(fn);
  size_t changes = 0;
  for (size_t b = 0; b < fn.blocks.size(); ++b) {
    if (!in[b]) continue;
    Constants state = *in[b];
    std::array<int, firmware::kNumOperandRegisters> special;
    special.fill(-1);
    for (Op& op : fn.blocks[b].ops) {
      firmware::Slot& s = op.slot;
      if (s.op == OpClass::Load && s.load_mode == firmware::LoadMode::BaseImm && !s.sign_extend &&
          state[s.ra] &&
          *state[s.ra] + static_cast<uint64_t>(static_cast<int64_t>(s.imm)) -
                  firmware::kContextBase <
              firmware::kContextSize) {
        const uint64_t offset = *state[s.ra] + static_cast<uint64_t>(static_cast<int64_t>(s.imm)) -
                                firmware::kContextBase;
        // The packet pointers are operand registers r11..r13: a copy, which copy propagation
        // then folds into the uses. The other fields are special registers.
        int pointer = -1, reg = -1;
        if (s.size == 4 || s.size == 8) {
          if (offset == firmware::kCtxData) pointer = firmware::kPacketDataRegister;
          if (offset == firmware::kCtxDataEnd) pointer = firmware::kPacketEndRegister;
          if (offset == firmware::kCtxDataMeta) pointer = firmware::kPacketMetaRegister;
        }
        if (s.size == 4) {
          if (offset == firmware::kCtxIngressIfindex)
            reg = static_cast<int>(SpecialReg::IngressIfindex);
          if (offset == firmware::kCtxRxQueueIndex)
            reg = static_cast<int>(SpecialReg::RxQueueIndex);
          if (offset == firmware::kCtxEgressIfindex)
            reg = static_cast<int>(SpecialReg::EgressIfindex);
        }
        if (pointer >= 0) {
          s = firmware::make_mov(false, s.rd, static_cast<uint8_t>(pointer));
          ++changes;
        } else if (reg >= 0) {
          s = firmware::make_movs(s.rd, static_cast<SpecialReg>(reg));
          ++changes;
        }
      }
      if (s.op == OpClass::Alu && s.func == AluFunc::Sub && !s.w32 && s.b == OperandB::Reg &&
          s.ra == firmware::kPacketEndRegister && s.rb == firmware::kPacketDataRegister) {
        s = firmware::make_movs(s.rd, SpecialReg::PktLen);
        ++changes;
      }
      for (uint16_t w = op.writes(); w; w &= w - 1)
        special[__builtin_ctz(w)] = -1;
      if (s.op == OpClass::Movs) special[s.rd] = s.imm;
      constant_transfer(op, state);
    }
  }
  return changes;
}

// --- add folding ---

// Folds `rT = rA + k` (ALU64) into a later use `y` of rT; false when the use cannot take it.
bool fold_add_immediate(Op& y, uint8_t rT, uint8_t rA, int64_t k) {
  firmware::Slot& s = y.slot;
  switch (s.op) {
    case OpClass::Load:
      if (s.load_mode == firmware::LoadMode::BaseImm) {
        if (s.ra != rT || !fits_int32(s.imm + k)) return false;
        s.ra = rA;
        s.imm = static_cast<int32_t>(s.imm + k);
        return true;
      }
      if ((s.ra == rT) == (s.rb == rT) || !fits_x12(s.offset12() + k)) return false;
      (s.ra == rT ? s.ra : s.rb) = rA;
      s.x12 = static_cast<uint16_t>((s.offset12() + k) & 0xfff);
      return true;
    case OpClass::Store:
      if (s.ra != rT) return false;
      if (s.store_value == firmware::StoreValue::Reg) {
        if (s.rb == rT || !fits_int32(s.imm + k)) return false;
        s.ra = rA;
        s.imm = static_cast<int32_t>(s.imm + k);
        return true;
      }
      if (!fits_x12(s.offset12() + k)) return false;
      s.ra = rA;
      s.x12 = static_cast<uint16_t>((s.offset12() + k) & 0xfff);
      return true;
    case OpClass::Atomic:
    case OpClass::Xchg:
    case OpClass::Cmpxchg:
      if (s.ra != rT || s.rb == rT || (s.op == OpClass::Cmpxchg && s.rd == rT) ||
          !fits_int32(s.imm + k))
        return false;
      s.ra = rA;
      s.imm = static_cast<int32_t>(s.imm + k);
      return true;
    case OpClass::Branch:
      if (s.cond == firmware::Cond::Always || s.b != OperandB::Reg) return false;
      if (s.rb == rT && s.ra != rT && s.imm == 0) {  // the sum on the right: swap it left
        s.cond = firmware::swap_operands(s.cond);
        std::swap(s.ra, s.rb);
      }
      if (s.ra != rT || s.rb == rT || !fits_int32(s.imm + k)) return false;
      s.ra = rA;
      s.imm = static_cast<int32_t>(s.imm + k);
      return true;
    case OpClass::Alu:
      if (s.func != AluFunc::Add || s.w32 || s.b != OperandB::Imm || s.ra != rT ||
          !fits_int32(s.imm + k))
        return false;
      s.ra = rA;
      s.imm = static_cast<int32_t>(s.imm + k);
      return true;
    default:
      return false;
  }
}

size_t fold_adds(Function& fn) {
  size_t changes = 0;
  for (Block& block : fn.blocks) {
    if (block.removed) continue;
    for (size_t i = 0; i < block.ops.size(); ++i) {
      const firmware::Slot x = block.ops[i].slot;
      if (x.op != OpClass::Alu || x.func != AluFunc::Add || x.w32 || x.rd == x.ra) continue;
      const bool immediate = x.b == OperandB::Imm;
      if (!immediate && (x.b != OperandB::Reg || x.rd == x.rb)) continue;
      const uint16_t inputs = immediate ? bit(x.ra) : static_cast<uint16_t>(bit(x.ra) | bit(x.rb));
      for (size_t j = i + 1; j < block.ops.size(); ++j) {
        Op& y = block.ops[j];
        if (y.reads() & bit(x.rd)) {
          bool folded;
          if (immediate) {
            folded = fold_add_immediate(y, x.rd, x.ra, x.imm);
          } else {
            firmware::Slot& s = y.slot;
            folded = s.op == OpClass::Load && s.load_mode == firmware::LoadMode::BaseImm &&
                     s.ra == x.rd && fits_x12(s.imm);
            if (folded)
              s = firmware::make_load_indexed(s.size, s.sign_extend, s.rd, x.ra, x.rb, s.imm);
          }
          changes += folded;
        }
        if (y.writes() & (inputs | bit(x.rd))) break;
      }
    }
  }
  return changes;
}

// `rT = rT + k` (ALU64): folded into every use of the sum and removed, when each use can take
// the offset and the sum dies with the last of them (array lookups the constant folder inlined
// compute `base + index * stride` this way, and the uses are loads and atomics).
size_t fold_in_place_adds(Function& fn) {
  const Liveness liveness(fn);
  size_t changes = 0;
  for (int32_t b = 0; b < static_cast<int32_t>(fn.blocks.size()); ++b) {
    Block& block = fn.blocks[b];
    if (block.removed) continue;
    for (size_t i = 0; i < block.ops.size(); ++i) {
      const firmware::Slot x = block.ops[i].slot;
      if (x.op != OpClass::Alu || x.func != AluFunc::Add || x.w32 || x.b != OperandB::Imm ||
          x.rd != x.ra)
        continue;
      // The sum must die inside the block: redefined before any branch can take it elsewhere,
      // or dead at the block's end and at every branch target.
      std::vector<size_t> uses;
      bool redefined = false, branched = false;
      for (size_t j = i + 1; j < block.ops.size() && !redefined; ++j) {
        if (block.ops[j].reads() & bit(x.rd)) uses.push_back(j);
        branched |= block.ops[j].is_branch();
        redefined = (block.ops[j].writes() & bit(x.rd)) != 0;
      }
      if (uses.empty() || ((!redefined || branched) && (liveness.live_out(b) & bit(x.rd))))
        continue;
      const bool all = std::all_of(uses.begin(), uses.end(), [&](size_t j) {
        Op copy = block.ops[j];
        return fold_add_immediate(copy, x.rd, x.rd, x.imm);
      });
      if (!all) continue;
      for (size_t j : uses)
        fold_add_immediate(block.ops[j], x.rd, x.rd, x.imm);
      remove_op(block, i);
      --i;
      ++changes;
    }
  }
  return changes;
}

// --- shift pairs ---

size_t fuse_shift_pairs(Function& fn) {
  size_t changes = 0;
  for (Block& block : fn.blocks) {
    for (size_t i = 0; i < block.ops.size(); ++i) {
      const firmware::Slot x = block.ops[i].slot;
      if (x.op != OpClass::Alu || x.func != AluFunc::Lsh || x.w32 || x.b != OperandB::Imm ||
          (x.imm != 32 && x.imm != 48 && x.imm != 56))
        continue;
      for (size_t j = i + 1; j < block.ops.size(); ++j) {
        Op& y = block.ops[j];
        firmware::Slot& s = y.slot;
        if (y.reads() & bit(x.rd)) {
          const bool pair = s.op == OpClass::Alu && !s.w32 && s.b == OperandB::Imm &&
                            s.imm == x.imm && s.ra == x.rd &&
                            (s.func == AluFunc::Rsh || s.func == AluFunc::Arsh);
          // When the shift overwrote its own source, the fused operation needs the value from
          // before it: only possible when the pair's result replaces it, so the shift can go.
          const bool in_place = x.rd == x.ra;
          if (pair && (!in_place || s.rd == x.rd)) {
            const bool arith = s.func == AluFunc::Arsh;
            const uint8_t rd = s.rd;
            if (x.imm == 32) {
              s = arith ? firmware::make_ext(firmware::ExtKind::Sext32, false, rd, x.ra)
                        : firmware::make_mov(true, rd, x.ra);
            } else if (x.imm == 48) {
              s = arith ? firmware::make_ext(firmware::ExtKind::Sext16, false, rd, x.ra)
                        : firmware::make_alu_imm(AluFunc::And, false, rd, x.ra, 0xffff);
            } else {
              s = arith ? firmware::make_ext(firmware::ExtKind::Sext8, false, rd, x.ra)
                        : firmware::make_alu_imm(AluFunc::And, false, rd, x.ra, 0xff);
            }
            ++changes;
            if (in_place) {
              std::vector<uint32_t> origins = std::move(block.ops[i].origins);
              block.ops.erase(block.ops.begin() + static_cast<ptrdiff_t>(i));
              Op& fused = block.ops[j - 1];
              fused.origins.insert(fused.origins.begin(), origins.begin(), origins.end());
            }
          }
          break;
        }
        if (y.writes() & (bit(x.ra) | bit(x.rd))) break;
      }
    }
  }
  return changes;
}

// --- and + test against zero ---

// `and rT, rA, k ; jne rT, 0` is `jset rA, k` (and jeq: jnset) when rT is not needed after.
size_t fuse_bit_tests(Function& fn) {
  const Liveness liveness(fn);
  size_t changes = 0;
  for (int32_t b = 0; b < static_cast<int32_t>(fn.blocks.size()); ++b) {
    Block& block = fn.blocks[b];
    const int index = block.removed ? -1 : conditional_branch_index(block);
    if (index <= 0) continue;
    Op& branch = block.ops[static_cast<size_t>(index)];
    firmware::Slot& br = branch.slot;
    if (br.b != OperandB::Imm || br.imm != 0 ||
        (br.cond != firmware::Cond::Eq && br.cond != firmware::Cond::Ne))
      continue;
    // The last writer of the tested register, with nothing else reading it in between.
    size_t x = static_cast<size_t>(index);
    while (x-- > 0 && !(block.ops[x].writes() & bit(br.ra))) {
      if (block.ops[x].reads() & bit(br.ra)) break;
    }
    if (x >= static_cast<size_t>(index)) continue;
    const firmware::Slot a = block.ops[x].slot;
    if (a.op != OpClass::Alu || a.func != AluFunc::And || a.b != OperandB::Imm || a.rd != br.ra)
      continue;
    bool clean = true;
    for (size_t k = x + 1; k < static_cast<size_t>(index); ++k)
      clean &= !((block.ops[k].reads() | block.ops[k].writes()) & bit(a.rd)) &&
               !(block.ops[k].writes() & bit(a.ra));
    if (!clean || (liveness.live_after(fn, b, static_cast<size_t>(index)) & bit(a.rd)) ||
        (branch.target >= 0 && (liveness.live_in(branch.target) & bit(a.rd))))
      continue;
    br.cond = br.cond == firmware::Cond::Ne ? firmware::Cond::Set : firmware::Cond::Nset;
    br.ra = a.ra;
    br.imm = a.imm;
    br.w32 = br.w32 || a.w32;
    ++changes;
    // An in-place and would now mask what the branch reads: it goes (its result is unused).
    if (a.rd == a.ra) remove_op(block, x);
  }
  return changes;
}

}  // namespace

size_t run_fusion(PassContext& context) {
  Function& fn = context.fn;
  size_t changes = special_registers(fn);
  changes += propagate_copies(fn);
  changes += special_registers(fn);  // data_end - data, once the copies are folded
  changes += fold_adds(fn);
  changes += fold_in_place_adds(fn);
  changes += fuse_shift_pairs(fn);
  changes += fuse_bit_tests(fn);
  return changes;
}

}  // namespace nicsim::jit::nic
