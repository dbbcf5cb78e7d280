#pragma once
// What ALU, ext and branch operations compute (docs/nic-isa.md sections 4.2 and 4.5). Shared
// by the model (which executes them) and the compiler (which folds constants with them), so
// that both agree bit for bit.

#include <cstdint>

#include "firmware/isa/opcodes.h"

namespace nicsim::firmware {

constexpr uint64_t alu64(AluFunc func, uint64_t a, uint64_t b) {
  const auto sa = static_cast<int64_t>(a);
  const auto sb = static_cast<int64_t>(b);
  switch (func) {
    case AluFunc::Add:
      return a + b;
    case AluFunc::Sub:
      return a - b;
    case AluFunc::Mul:
      return a * b;
    case AluFunc::Div:
      return b == 0 ? 0 : a / b;
    case AluFunc::Sdiv:
      if (b == 0) return 0;
      if (sa == INT64_MIN && sb == -1) return a;
      return static_cast<uint64_t>(sa / sb);
    case AluFunc::Mod:
      return b == 0 ? a : a % b;
    case AluFunc::Smod:
      if (b == 0) return a;
      if (sb == -1) return 0;
      return static_cast<uint64_t>(sa % sb);
    case AluFunc::Or:
      return a | b;
    case AluFunc::And:
      return a & b;
    case AluFunc::Xor:
      return a ^ b;
    case AluFunc::Lsh:
      return a << (b & 63);
    case AluFunc::Rsh:
      return a >> (b & 63);
    case AluFunc::Arsh:
      return static_cast<uint64_t>(sa >> (b & 63));
    case AluFunc::Mov:
      return b;
    case AluFunc::Rsub:
      return b - a;
    case AluFunc::Ext:
      return 0;  // see ext()
  }
  return 0;
}

constexpr uint64_t alu32(AluFunc func, uint64_t a64, uint64_t b64) {
  const auto a = static_cast<uint32_t>(a64);
  const auto b = static_cast<uint32_t>(b64);
  const auto sa = static_cast<int32_t>(a);
  const auto sb = static_cast<int32_t>(b);
  uint32_t r = 0;
  switch (func) {
    case AluFunc::Add:
      r = a + b;
      break;
    case AluFunc::Sub:
      r = a - b;
      break;
    case AluFunc::Mul:
      r = a * b;
      break;
    case AluFunc::Div:
      r = b == 0 ? 0 : a / b;
      break;
    case AluFunc::Sdiv:
      if (b == 0)
        r = 0;
      else if (sa == INT32_MIN && sb == -1)
        r = a;
      else
        r = static_cast<uint32_t>(sa / sb);
      break;
    case AluFunc::Mod:
      r = b == 0 ? a : a % b;
      break;
    case AluFunc::Smod:
      if (b == 0)
        r = a;
      else if (sb == -1)
        r = 0;
      else
        r = static_cast<uint32_t>(sa % sb);
      break;
    case AluFunc::Or:
      r = a | b;
      break;
    case AluFunc::And:
      r = a & b;
      break;
    case AluFunc::Xor:
      r = a ^ b;
      break;
    case AluFunc::Lsh:
      r = a << (b & 31);
      break;
    case AluFunc::Rsh:
      r = a >> (b & 31);
      break;
    case AluFunc::Arsh:
      r = static_cast<uint32_t>(sa >> (b & 31));
      break;
    case AluFunc::Mov:
      r = b;
      break;
    case AluFunc::Rsub:
      r = b - a;
      break;
    case AluFunc::Ext:
      r = 0;
      break;
  }
  return r;
}

constexpr uint64_t byteswap64(uint64_t v) {
  uint64_t r = 0;
  for (int i = 0; i < 8; ++i)
    r = (r << 8) | ((v >> (8 * i)) & 0xff);
  return r;
}

constexpr uint64_t ext(ExtKind kind, bool w32, uint64_t a) {
  uint64_t r = 0;
  switch (kind) {
    case ExtKind::Bswap16:
      r = byteswap64(a & 0xffff) >> 48;
      break;
    case ExtKind::Bswap32:
      r = byteswap64(a & 0xffffffff) >> 32;
      break;
    case ExtKind::Bswap64:
      r = byteswap64(a);
      break;
    case ExtKind::Sext8:
      r = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(a)));
      break;
    case ExtKind::Sext16:
      r = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int16_t>(a)));
      break;
    case ExtKind::Sext32:
      r = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(a)));
      break;
  }
  return w32 ? static_cast<uint32_t>(r) : r;
}

constexpr uint64_t alu(AluFunc func, bool w32, uint64_t a, uint64_t b) {
  if (func == AluFunc::Ext) return ext(static_cast<ExtKind>(b), w32, a);
  return w32 ? alu32(func, a, b) : alu64(func, a, b);
}

constexpr bool compare(Cond cond, bool w32, uint64_t x, uint64_t y) {
  if (w32) {
    x = static_cast<uint32_t>(x);
    y = static_cast<uint32_t>(y);
  }
  const int64_t sx = w32 ? static_cast<int32_t>(x) : static_cast<int64_t>(x);
  const int64_t sy = w32 ? static_cast<int32_t>(y) : static_cast<int64_t>(y);
  switch (cond) {
    case Cond::Always:
      return true;
    case Cond::Eq:
      return x == y;
    case Cond::Ne:
      return x != y;
    case Cond::Gt:
      return x > y;
    case Cond::Ge:
      return x >= y;
    case Cond::Lt:
      return x < y;
    case Cond::Le:
      return x <= y;
    case Cond::Sgt:
      return sx > sy;
    case Cond::Sge:
      return sx >= sy;
    case Cond::Slt:
      return sx < sy;
    case Cond::Sle:
      return sx <= sy;
    case Cond::Set:
      return (x & y) != 0;
    case Cond::Nset:
      return (x & y) == 0;
  }
  return false;
}

constexpr uint64_t sign_extend_bytes(uint64_t v, int bytes) {
  if (bytes >= 8) return v;
  const int shift = 64 - 8 * bytes;
  return static_cast<uint64_t>(static_cast<int64_t>(v << shift) >> shift);
}

constexpr uint64_t atomic_apply(AtomicOp op, uint64_t old, uint64_t operand) {
  switch (op) {
    case AtomicOp::Add:
      return old + operand;
    case AtomicOp::Or:
      return old | operand;
    case AtomicOp::And:
      return old & operand;
    case AtomicOp::Xor:
      return old ^ operand;
  }
  return old;
}

}  // namespace nicsim::firmware
