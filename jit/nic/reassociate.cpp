#include "jit/nic/reassociate.h"

#include <algorithm>

#include "jit/nic/liveness.h"

namespace nicsim::jit::nic {

using firmware::AluFunc;
using firmware::OpClass;
using firmware::OperandB;

namespace {

constexpr uint16_t kAllocatable = 0x3ff;  // r0..r9

uint16_t bit(uint8_t r) {
  return static_cast<uint16_t>(1u << r);
}

bool associative(AluFunc f) {
  return f == AluFunc::Add || f == AluFunc::Or || f == AluFunc::And || f == AluFunc::Xor;
}

// `acc = acc op term` with a register or immediate term (pool operands are left alone).
bool chain_link(const Op& op) {
  const firmware::Slot& s = op.slot;
  return s.op == OpClass::Alu && associative(s.func) && s.rd == s.ra && !op.pool &&
         s.b != OperandB::Pool && !(s.b == OperandB::Reg && s.rb == s.rd) &&
         s.rd < firmware::kFrameRegister;
}

bool same_link(const Op& a, const Op& b) {
  return a.slot.func == b.slot.func && a.slot.w32 == b.slot.w32 && a.slot.rd == b.slot.rd;
}

// Registers some operation after ops[index] reads before writing them, or the block's exit does.
bool live_after(const std::vector<Op>& ops, size_t index, uint16_t live_out, uint8_t reg) {
  for (size_t i = index + 1; i < ops.size(); ++i) {
    if (ops[i].reads() & bit(reg)) return true;
    if (ops[i].writes() & bit(reg)) return false;
  }
  return (live_out & bit(reg)) != 0;
}

bool writes_between(const std::vector<Op>& ops, size_t from, size_t to, uint8_t reg) {
  for (size_t i = from + 1; i < to; ++i)
    if (ops[i].writes() & bit(reg)) return true;
  return false;
}

// The links of accumulator chains: for each link, the next operation that touches the
// accumulator, when it is a link of the same chain and nothing but ALU work lies between.
size_t next_link(const std::vector<Op>& ops, size_t index) {
  const uint8_t acc = ops[index].slot.rd;
  for (size_t j = index + 1; j < ops.size(); ++j) {
    const Op& op = ops[j];
    if (op.is_call() || firmware::is_control_op(op.slot)) return ops.size();
    if ((op.reads() | op.writes()) & bit(acc))
      return chain_link(op) && same_link(ops[index], op) ? j : ops.size();
  }
  return ops.size();
}

// One round over a block: disjoint consecutive pairs of every chain are combined (a link made
// in this round is not paired again before the next). Returns the pairs combined; `free` loses
// the registers it takes.
size_t combine_pairs(std::vector<Op>& ops, uint16_t live_out, uint16_t& free) {
  std::vector<bool> fresh(ops.size(), false);
  size_t combined = 0;
  for (size_t i = 0; i < ops.size(); ++i) {
    if (fresh[i] || !chain_link(ops[i])) continue;
    const size_t j = next_link(ops, i);
    if (j >= ops.size() || fresh[j]) continue;
    const firmware::Slot a = ops[i].slot;
    const firmware::Slot b = ops[j].slot;
    if (a.b != OperandB::Reg && b.b != OperandB::Reg) continue;  // constants: const-fold's
    // The first term must still hold its value at the second link.
    if (a.b == OperandB::Reg && writes_between(ops, i, j, a.rb)) continue;
    const firmware::Slot& reg_side = a.b == OperandB::Reg ? a : b;
    const firmware::Slot& other = a.b == OperandB::Reg ? b : a;
    // tmp = term_a op term_b, computed just before the second link: in place over a register
    // term that dies there, else in a register the block leaves free.
    const auto dies = [&](uint8_t r) {
      return r < firmware::kFrameRegister && r != a.rd && !live_after(ops, j, live_out, r);
    };
    uint8_t tmp = 0xff;
    if (dies(reg_side.rb))
      tmp = reg_side.rb;
    else if (other.b == OperandB::Reg && dies(other.rb))
      tmp = other.rb;
    else if (free != 0)
      tmp = static_cast<uint8_t>(__builtin_ctz(free));
    if (tmp == 0xff) continue;
    free = static_cast<uint16_t>(free & ~bit(tmp));
    Op sum;
    sum.slot = other.b == OperandB::Reg
                   ? firmware::make_alu(a.func, a.w32, tmp, reg_side.rb, other.rb)
                   : firmware::make_alu_imm(a.func, a.w32, tmp, reg_side.rb, other.imm);
    sum.origins = ops[i].origins;
    sum.source = ops[i].source;
    ops[j].slot = firmware::make_alu(a.func, a.w32, a.rd, a.rd, tmp);
    ops.insert(ops.begin() + static_cast<ptrdiff_t>(j), std::move(sum));
    fresh.insert(fresh.begin() + static_cast<ptrdiff_t>(j), true);
    fresh[j + 1] = true;
    ops.erase(ops.begin() + static_cast<ptrdiff_t>(i));
    fresh.erase(fresh.begin() + static_cast<ptrdiff_t>(i));
    ++combined;
    --i;  // ops[i] is the operation that followed the removed link
  }
  return combined;
}

}  // namespace

size_t reassociate_chains(Function& fn) {
  const Liveness liveness(fn);
  size_t combined = 0;
  for (int32_t b : fn.reverse_postorder()) {
    Block& block = fn.blocks[b];
    uint16_t used = liveness.live_in(b) | liveness.live_out(b);
    for (const Op& op : block.ops)
      used |= op.reads() | op.writes();
    uint16_t free = static_cast<uint16_t>(kAllocatable & ~used);
    for (int round = 0; round < 4; ++round) {
      const size_t n = combine_pairs(block.ops, liveness.live_out(b), free);
      if (n == 0) break;
      combined += n;
    }
  }
  return combined;
}

}  // namespace nicsim::jit::nic
