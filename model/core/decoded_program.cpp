#include "model/core/decoded_program.h"

#include <algorithm>
#include <iterator>

namespace nicsim::model {

using firmware::AluFunc;
using firmware::Cond;
using firmware::OpClass;

namespace {

constexpr uint64_t kAllOnes = ~uint64_t{0};

OpKind alu_kind(const firmware::Slot& s) {
  static constexpr OpKind kAlu64[] = {
      OpKind::Alu64Add,  OpKind::Alu64Sub, OpKind::AluOther,  OpKind::AluOther,
      OpKind::AluOther,  OpKind::AluOther, OpKind::AluOther,  OpKind::Alu64Or,
      OpKind::Alu64And,  OpKind::Alu64Xor, OpKind::Alu64Lsh,  OpKind::Alu64Rsh,
      OpKind::Alu64Arsh, OpKind::Alu64Mov, OpKind::Alu64Rsub, OpKind::AluOther};
  static constexpr OpKind kAlu32[] = {
      OpKind::Alu32Add,  OpKind::Alu32Sub, OpKind::AluOther, OpKind::AluOther,
      OpKind::AluOther,  OpKind::AluOther, OpKind::AluOther, OpKind::Alu32Or,
      OpKind::Alu32And,  OpKind::Alu32Xor, OpKind::Alu32Lsh, OpKind::Alu32Rsh,
      OpKind::Alu32Arsh, OpKind::Alu32Mov, OpKind::AluOther, OpKind::AluOther};
  static_assert(std::size(kAlu64) == static_cast<size_t>(AluFunc::Ext) + 1);
  static_assert(std::size(kAlu32) == static_cast<size_t>(AluFunc::Ext) + 1);
  // The multiplier has a latency of its own but no other difference: it gets a kind.
  if (s.func == AluFunc::Mul) return s.w32 ? OpKind::Alu32Mul : OpKind::Alu64Mul;
  return (s.w32 ? kAlu32 : kAlu64)[static_cast<size_t>(s.func)];
}

OpKind branch_kind(const firmware::Slot& s) {
  if (s.cond == Cond::Always) return OpKind::Jump;
  if (s.w32) return OpKind::Branch32;
  static_assert(static_cast<int>(OpKind::Branch64Nset) - static_cast<int>(OpKind::Branch64Eq) ==
                static_cast<int>(Cond::Nset) - static_cast<int>(Cond::Eq));
  return static_cast<OpKind>(static_cast<int>(OpKind::Branch64Eq) + static_cast<int>(s.cond) -
                             static_cast<int>(Cond::Eq));
}

OpKind sized_kind(OpKind size1_kind, uint8_t size) {
  return static_cast<OpKind>(static_cast<int>(size1_kind) + size - 1);
}

// Fills `op`'s kind and the operands resolved at load; `value` is the slot's immediate,
// sign-extended, or its pool constant.
void resolve_operands(MicroOp& op, uint64_t value, const LatencyConfig& latency) {
  const firmware::Slot& s = op.slot;
  const auto operand_b = [&op, value](bool from_register) {
    op.b_mask = from_register ? kAllOnes : 0;
    op.b = from_register ? 0 : value;
  };
  switch (s.op) {
    case OpClass::Alu:
      op.kind = alu_kind(s);
      operand_b(s.b == firmware::OperandB::Reg);
      if (s.func == AluFunc::Mul)
        op.alu_latency = latency.multiply;
      else if (firmware::uses_divider(s))
        op.alu_latency = s.w32 ? latency.divide32 : latency.divide64;
      break;
    case OpClass::Branch: {
      op.kind = branch_kind(s);
      const bool register_b = s.b == firmware::OperandB::Reg;
      operand_b(register_b);
      op.offset = register_b ? static_cast<int64_t>(s.imm) : 0;  // if (ra + imm) cond rb
      op.taken = s.targets_exit_vector() ? ControlKind::Exit : ControlKind::Jump;
      op.target = s.target();
      if (s.targets_exit_vector()) op.exit_value = s.target() - firmware::kExitVectorBase;
      break;
    }
    case OpClass::Load:
      op.kind = sized_kind(OpKind::Load1, s.size);  // ldnf: the fault path tests no_fault
      op.offset = s.load_mode == firmware::LoadMode::BaseImm ? s.imm : s.offset12();
      op.b_mask = s.load_mode == firmware::LoadMode::BaseIndex ? kAllOnes : 0;
      op.sign_shift = s.sign_extend ? static_cast<uint8_t>(64 - 8 * s.size) : 0;
      break;
    case OpClass::Store:
      op.kind = sized_kind(OpKind::Store1, s.size);
      if (s.store_value == firmware::StoreValue::Reg) {
        op.offset = s.imm;
        operand_b(true);
      } else {
        op.offset = s.offset12();
        operand_b(false);
      }
      break;
    case OpClass::Atomic:
    case OpClass::Xchg:
    case OpClass::Cmpxchg:
      op.kind = OpKind::ReadModifyWrite;
      op.offset = s.imm;
      break;
    case OpClass::Movs:
      op.kind = OpKind::Movs;
      break;
    case OpClass::ExitImm:
      op.kind = OpKind::ExitImm;
      op.taken = ControlKind::Exit;
      op.exit_value = static_cast<uint64_t>(static_cast<int64_t>(s.imm));
      break;
    case OpClass::ExitReg:
      op.kind = OpKind::ExitReg;
      op.taken = ControlKind::Exit;
      break;
    case OpClass::CallF:
      op.kind = OpKind::CallF;
      op.taken = ControlKind::Jump;
      op.target = s.target();
      break;
    case OpClass::Ret:
      op.kind = OpKind::Ret;
      op.taken = ControlKind::Jump;
      break;
    case OpClass::HCall:
      op.kind = OpKind::HCall;
      op.helper = ebpf::find_helper(s.imm);
      break;
    case OpClass::Nop:
      break;  // not kept
  }
}

}  // namespace

DecodedProgram::DecodedProgram(const firmware::Image& image, const LatencyConfig& latency)
    : entry_(image.entry_bundle), entry_kind_(image.entry_kind) {
  firmware::validate_image(image);
  bundles_.resize(image.bundle_count());
  for (size_t n = 0; n < bundles_.size(); ++n) {
    MicroBundle& mb = bundles_[n];
    const auto slots = image.bundle(n);
    for (size_t lane = 0; lane < slots.size(); ++lane) {
      const firmware::Slot& s = slots[lane];
      const size_t flat = n * image.lanes + lane;
      const uint32_t count =
          image.origins.empty() ? 0 : static_cast<uint32_t>(image.origins[flat].size());
      mb.ebpf_count += count;
      if (s.op == OpClass::Nop) continue;
      MicroOp& op = mb.ops[mb.count++];
      op.slot = s;
      op.ebpf_count = count;
      const bool pool = firmware::uses_pool(s);
      const uint64_t value = pool ? image.constants[static_cast<uint32_t>(s.imm)]
                                  : static_cast<uint64_t>(static_cast<int64_t>(s.imm));
      resolve_operands(op, value, latency);
      mb.registers |= firmware::registers_read(s) | firmware::registers_written(s);
      mb.control |= firmware::is_control_op(s);
      mb.hcall |= s.op == OpClass::HCall;
      if (firmware::uses_divider(s)) {
        mb.divider = true;
        mb.divider_latency = s.w32 ? latency.divide32 : latency.divide64;
      }
    }
    mb.shared_unit = mb.hcall || mb.divider;
    const auto used = static_cast<uint32_t>(__builtin_popcount(mb.registers));
    register_list_length_ = std::max(register_list_length_, used);
  }
  for (MicroBundle& mb : bundles_) {
    mb.register_list.fill(firmware::kFrameRegister);
    size_t i = 0;
    for (uint16_t mask = mb.registers; mask; mask &= mask - 1)
      mb.register_list[i++] = static_cast<uint8_t>(__builtin_ctz(mask));
  }
}

}  // namespace nicsim::model
