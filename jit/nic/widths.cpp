// Significant-bit widths: a value below 2^width, per register.

#include "jit/nic/widths.h"

#include <algorithm>

#include "firmware/isa/address_map.h"

namespace nicsim::jit::nic {

using firmware::AluFunc;
using firmware::OpClass;
using firmware::OperandB;
using firmware::SpecialReg;

namespace {

uint8_t bit_width_of(uint64_t v) {
  return static_cast<uint8_t>(64 - (v ? __builtin_clzll(v) : 64));
}

uint8_t width_of_b(const Op& op, const Widths& w) {
  const firmware::Slot& s = op.slot;
  if (op.pool) return bit_width_of(op.pool_value);
  if (s.b == OperandB::Reg) return w[s.rb];
  const auto v = static_cast<uint64_t>(static_cast<int64_t>(s.imm));
  return bit_width_of(s.w32 ? static_cast<uint32_t>(v) : v);
}

uint8_t alu_width(const Op& op, const Widths& w) {
  const firmware::Slot& s = op.slot;
  const int limit = s.w32 ? 32 : 64;
  const int a = std::min<int>(w[s.ra], limit);
  const int b = std::min<int>(width_of_b(op, w), limit);
  int r = limit;
  switch (s.func) {
    case AluFunc::Mov:
      r = b;
      break;
    case AluFunc::And:
      r = std::min(a, b);
      break;
    case AluFunc::Or:
    case AluFunc::Xor:
      r = std::max(a, b);
      break;
    case AluFunc::Add:
      r = std::max(a, b) + 1;
      break;
    case AluFunc::Mul:
      r = a + b;
      break;
    case AluFunc::Div:
      r = a;
      break;
    case AluFunc::Mod:
      // a % 0 is a, so the divisor bounds the result only when it is a nonzero constant.
      r = (s.b != OperandB::Reg || op.pool) && b > 0 ? std::min(a, b) : a;
      break;
    case AluFunc::Lsh:
      if (s.b == OperandB::Imm) r = a + (s.imm & (limit - 1));
      break;
    case AluFunc::Rsh:
      r = s.b == OperandB::Imm ? std::max(0, a - (s.imm & (limit - 1))) : a;
      break;
    case AluFunc::Arsh:
      if (a < limit) r = s.b == OperandB::Imm ? std::max(0, a - (s.imm & (limit - 1))) : a;
      break;
    case AluFunc::Ext:
      switch (static_cast<firmware::ExtKind>(s.imm)) {
        case firmware::ExtKind::Bswap16:
          r = 16;
          break;
        case firmware::ExtKind::Bswap32:
          r = 32;
          break;
        case firmware::ExtKind::Sext8:
          r = a < 8 ? a : limit;
          break;
        case firmware::ExtKind::Sext16:
          r = a < 16 ? a : limit;
          break;
        case firmware::ExtKind::Sext32:
          r = a < 32 ? a : limit;
          break;
        default:
          break;
      }
      break;
    default:
      break;  // sub, rsub, sdiv, smod: anything
  }
  return static_cast<uint8_t>(std::min(r, limit));
}

}  // namespace

void width_transfer(const Op& op, Widths& w) {
  const firmware::Slot& s = op.slot;
  uint8_t result = 64;
  switch (s.op) {
    case OpClass::Alu:
      result = alu_width(op, w);
      break;
    case OpClass::Load:
      result = s.sign_extend ? 64 : static_cast<uint8_t>(8 * s.size);
      break;
    case OpClass::Movs:
      switch (static_cast<SpecialReg>(s.imm)) {
        case SpecialReg::PktData:
        case SpecialReg::PktEnd:
        case SpecialReg::PktMeta:
          result = 31;
          break;  // NIC addresses are below 2^31
        case SpecialReg::PktLen:
          result = 16;
          break;
        case SpecialReg::TimeNs:
        case SpecialReg::Cycle:
          result = 64;
          break;
        default:
          result = 32;
          break;
      }
      break;
    case OpClass::Xchg:
    case OpClass::Cmpxchg:
    case OpClass::Atomic:
      result = s.w32 ? 32 : 64;
      break;
    case OpClass::HCall:
      result = s.imm == 1 ? 31 : 64;
      break;  // map_lookup_elem: an address or 0
    default:
      break;
  }
  for (uint16_t m = op.writes(); m; m &= m - 1)
    w[__builtin_ctz(m)] = 64;
  for (int r = firmware::kPacketDataRegister; r <= firmware::kPacketMetaRegister; ++r)
    w[r] = 31;  // NIC addresses, whatever moved them
  const uint16_t primary = firmware::registers_written(s);
  if (primary) w[__builtin_ctz(primary)] = result;
}

Widths entry_widths(const Function& fn) {
  Widths entry;
  entry.fill(64);
  entry[firmware::kFrameRegister] = 30;
  if (fn.entry_kind == firmware::EntryKind::Xdp) entry[1] = 30;
  for (int r = firmware::kPacketDataRegister; r <= firmware::kPacketMetaRegister; ++r)
    entry[r] = 31;
  return entry;
}

bool join_widths(Widths& into, const Widths& from) {
  bool changed = false;
  for (size_t r = 0; r < into.size(); ++r) {
    if (from[r] > into[r]) {
      into[r] = from[r];
      changed = true;
    }
  }
  return changed;
}

}  // namespace nicsim::jit::nic
