#include "jit/nic/constants.h"

#include "firmware/isa/address_map.h"
#include "firmware/isa/semantics.h"
#include "jit/nic/dataflow.h"

namespace nicsim::jit::nic {

using firmware::OpClass;

std::optional<uint64_t> operand_b(const Op& op, const Constants& state) {
  const firmware::Slot& s = op.slot;
  if (op.pool) return op.pool_value;
  if (s.b == firmware::OperandB::Reg) return state[s.rb];
  return static_cast<uint64_t>(static_cast<int64_t>(s.imm));
}

void constant_transfer(const Op& op, Constants& state) {
  const firmware::Slot& s = op.slot;
  if (s.op == OpClass::Alu) {
    const std::optional<uint64_t> b = operand_b(op, state);
    const std::optional<uint64_t> a =
        s.func == firmware::AluFunc::Mov ? std::optional<uint64_t>(0) : state[s.ra];
    if (a && b)
      state[s.rd] = firmware::alu(s.func, s.w32, *a, *b);
    else
      state[s.rd].reset();
    return;
  }
  for (uint16_t w = op.writes(); w; w &= w - 1)
    state[__builtin_ctz(w)].reset();
}

std::vector<std::optional<Constants>> propagate_constants(const Function& fn) {
  Constants entry;
  entry[firmware::kFrameRegister] = firmware::kFramePointer;
  if (fn.entry_kind == firmware::EntryKind::Xdp) entry[1] = firmware::kContextBase;
  return forward_dataflow(
      fn, entry,
      [&fn](int32_t b, Constants& state) {
        for (const Op& op : fn.blocks[b].ops)
          constant_transfer(op, state);
      },
      [](Constants& into, const Constants& from) {
        bool changed = false;
        for (size_t r = 0; r < into.size(); ++r) {
          if (into[r] && into[r] != from[r]) {
            into[r].reset();
            changed = true;
          }
        }
        return changed;
      });
}

}  // namespace nicsim::jit::nic
