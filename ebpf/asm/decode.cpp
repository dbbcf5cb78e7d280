// Instruction slots -> Operation. Every check here guards the round trip: a form is returned
// only if encode() of it reproduces the slots bit for bit, so fields the text does not show
// (reserved registers, offsets, immediates) must be zero.
#include <optional>

#include "ebpf/asm/operation.h"

namespace nicsim::ebpf::assembly {

namespace {

constexpr uint8_t kMaxRegister = 10;

bool valid_register(uint8_t r) {
  return r <= kMaxRegister;
}

// The second operand of ALU and conditional jump instructions.
std::optional<Operand> decode_operand(const Instruction& in) {
  if (in.source() == kSrcX) {
    if (!valid_register(in.src()) || in.imm != 0) return std::nullopt;
    return Operand::from_register(in.src());
  }
  if (in.src() != 0) return std::nullopt;
  return Operand::from_immediate(in.imm);
}

std::optional<Operation> decode_alu(const Instruction& in) {
  const bool wide = in.cls() == kClassAlu64;
  const uint8_t op = in.op();
  if (!valid_register(in.dst())) return std::nullopt;
  if (op == kAluEnd) {
    if (in.src() != 0 || in.offset != 0) return std::nullopt;
    if (in.imm != 16 && in.imm != 32 && in.imm != 64) return std::nullopt;
    SwapKind kind = SwapKind::Unconditional;
    if (wide) {
      if (in.source() != kSrcK) return std::nullopt;
    } else {
      kind = in.source() == kSrcX ? SwapKind::ToBigEndian : SwapKind::ToLittleEndian;
    }
    return ByteSwap{kind, in.dst(), in.imm};
  }
  if (op == kAluNeg) {
    if (in.source() != kSrcK || in.src() != 0 || in.imm != 0 || in.offset != 0) return std::nullopt;
    return Negate{wide, in.dst()};
  }
  if (op > kAluEnd) return std::nullopt;
  const auto src = decode_operand(in);
  if (!src) return std::nullopt;
  if (op == kAluMov && in.offset != 0) {
    const bool width_ok = in.offset == 8 || in.offset == 16 || (wide && in.offset == 32);
    if (!width_ok || !src->is_register) return std::nullopt;
    return MoveSignExtend{wide, in.dst(), src->reg, static_cast<uint8_t>(in.offset)};
  }
  bool is_signed = false;
  if ((op == kAluDiv || op == kAluMod) && in.offset == 1) {
    is_signed = true;
  } else if (in.offset != 0) {
    return std::nullopt;
  }
  return AluOp{wide, op, in.dst(), *src, is_signed};
}

std::optional<Operation> decode_jmp(const Instruction& in) {
  const bool wide = in.cls() == kClassJmp;
  const uint8_t op = in.op();
  switch (op) {
    case kJmpJa:
      if (in.source() != kSrcK || in.regs != 0) return std::nullopt;
      if (wide) {
        if (in.imm != 0) return std::nullopt;
        return Goto{false, Target{in.offset, {}}};
      }
      if (in.offset != 0) return std::nullopt;
      return Goto{true, Target{in.imm, {}}};
    case kJmpCall:
      if (!wide || in.offset != 0) return std::nullopt;
      if (in.source() == kSrcX) {
        if (in.src() != 0 || in.imm != 0 || !valid_register(in.dst())) return std::nullopt;
        return CallIndirect{in.dst()};
      }
      if (in.dst() != 0) return std::nullopt;
      if (in.src() == kCallHelper) return CallHelper{in.imm};
      if (in.src() == kCallLocal) return CallLocal{Target{in.imm, {}}};
      if (in.src() == kCallKfunc) return CallKfunc{in.imm};
      return std::nullopt;
    case kJmpExit:
      if (!wide || in.source() != kSrcK || in.regs != 0 || in.offset != 0 || in.imm != 0)
        return std::nullopt;
      return Exit{};
    default:
      break;
  }
  if (op > kJmpJsle || !valid_register(in.dst())) return std::nullopt;
  const auto src = decode_operand(in);
  if (!src) return std::nullopt;
  return CondJump{wide, op, in.dst(), *src, Target{in.offset, {}}};
}

std::optional<Operation> decode_ld(std::span<const Instruction> insns, size_t index) {
  const Instruction& in = insns[index];
  if (in.is_lddw()) {
    if (!valid_register(in.dst()) || in.offset != 0 || in.src() > kLddwMapIdxValue)
      return std::nullopt;
    if (index + 1 >= insns.size()) return std::nullopt;
    const Instruction& next = insns[index + 1];
    if (next.opcode != 0 || next.regs != 0 || next.offset != 0) return std::nullopt;
    const uint8_t pseudo = in.src();
    const bool has_second_value =
        pseudo == kLddwImm64 || pseudo == kLddwMapValue || pseudo == kLddwMapIdxValue;
    if (!has_second_value && next.imm != 0) return std::nullopt;
    if (pseudo == kLddwFunc) return LoadFuncAddress{in.dst(), Target{in.imm, {}}};
    return LoadImm64{in.dst(), pseudo, in.imm, next.imm};
  }
  const uint8_t mode = in.mode();
  if ((mode != kModeAbs && mode != kModeInd) || in.size() == kSizeDw) return std::nullopt;
  if (in.dst() != 0 || in.offset != 0) return std::nullopt;
  const bool indirect = mode == kModeInd;
  if (indirect ? !valid_register(in.src()) : in.src() != 0) return std::nullopt;
  return LegacyLoad{in.size(), indirect, in.src(), in.imm};
}

bool is_atomic_op(int32_t imm) {
  switch (imm) {
    case kAtomicAdd:
    case kAtomicAdd | kAtomicFetch:
    case kAtomicOr:
    case kAtomicOr | kAtomicFetch:
    case kAtomicAnd:
    case kAtomicAnd | kAtomicFetch:
    case kAtomicXor:
    case kAtomicXor | kAtomicFetch:
    case kAtomicXchg:
    case kAtomicCmpxchg:
      return true;
    default:
      return false;
  }
}

std::optional<Operation> decode_memory(const Instruction& in) {
  const uint8_t mode = in.mode();
  if (!valid_register(in.dst()) || !valid_register(in.src())) return std::nullopt;
  switch (in.cls()) {
    case kClassLdx:
      if (in.imm != 0) return std::nullopt;
      if (mode == kModeMem) return Load{in.size(), false, in.dst(), in.src(), in.offset};
      if (mode == kModeMemsx && in.size() != kSizeDw)
        return Load{in.size(), true, in.dst(), in.src(), in.offset};
      return std::nullopt;
    case kClassSt:
      if (mode != kModeMem || in.src() != 0) return std::nullopt;
      return Store{in.size(), in.dst(), in.offset, Operand::from_immediate(in.imm)};
    default:  // STX
      if (mode == kModeMem) {
        if (in.imm != 0) return std::nullopt;
        return Store{in.size(), in.dst(), in.offset, Operand::from_register(in.src())};
      }
      if (mode != kModeAtomic || !is_atomic_op(in.imm)) return std::nullopt;
      if (in.size() != kSizeW && in.size() != kSizeDw) return std::nullopt;
      return Atomic{in.size() == kSizeDw, in.imm, in.dst(), in.offset, in.src()};
  }
}

}  // namespace

Operation decode(std::span<const Instruction> insns, size_t index) {
  const Instruction& in = insns[index];
  std::optional<Operation> op;
  switch (in.cls()) {
    case kClassAlu:
    case kClassAlu64:
      op = decode_alu(in);
      break;
    case kClassJmp:
    case kClassJmp32:
      op = decode_jmp(in);
      break;
    case kClassLd:
      op = decode_ld(insns, index);
      break;
    default:
      op = decode_memory(in);
      break;
  }
  return op ? *op : Operation{RawSlot{in.raw()}};
}

}  // namespace nicsim::ebpf::assembly
