#pragma once
// The value semantics of RFC 9669 arithmetic, as pure functions over unsigned integers so that
// no case (division by zero, INT_MIN / -1, oversized shifts) can reach undefined behaviour.
// 32-bit operations take and return the low 32 bits; the caller zero-extends into the register.

#include <bit>
#include <cstdint>

namespace nicsim::ebpf::interp::alu {

constexpr uint64_t kInt64Min = uint64_t{1} << 63;
constexpr uint32_t kInt32Min = uint32_t{1} << 31;

// Unsigned division by zero yields 0; modulo by zero leaves the dividend.
constexpr uint64_t div64(uint64_t a, uint64_t b) {
  return b == 0 ? 0 : a / b;
}
constexpr uint32_t div32(uint32_t a, uint32_t b) {
  return b == 0 ? 0 : a / b;
}
constexpr uint64_t mod64(uint64_t a, uint64_t b) {
  return b == 0 ? a : a % b;
}
constexpr uint32_t mod32(uint32_t a, uint32_t b) {
  return b == 0 ? a : a % b;
}

// Signed variants (offset 1): the quotient truncates toward zero and the remainder takes the
// sign of the dividend. INT_MIN / -1 wraps to INT_MIN (as negation does) and INT_MIN % -1 is 0;
// both are computed without the overflowing C++ operation.
constexpr uint64_t sdiv64(uint64_t a, uint64_t b) {
  if (b == 0) return 0;
  if (b == ~uint64_t{0}) return uint64_t{0} - a;
  return static_cast<uint64_t>(static_cast<int64_t>(a) / static_cast<int64_t>(b));
}
constexpr uint32_t sdiv32(uint32_t a, uint32_t b) {
  if (b == 0) return 0;
  if (b == ~uint32_t{0}) return uint32_t{0} - a;
  return static_cast<uint32_t>(static_cast<int32_t>(a) / static_cast<int32_t>(b));
}
constexpr uint64_t smod64(uint64_t a, uint64_t b) {
  if (b == 0) return a;
  if (b == ~uint64_t{0}) return 0;
  return static_cast<uint64_t>(static_cast<int64_t>(a) % static_cast<int64_t>(b));
}
constexpr uint32_t smod32(uint32_t a, uint32_t b) {
  if (b == 0) return a;
  if (b == ~uint32_t{0}) return 0;
  return static_cast<uint32_t>(static_cast<int32_t>(a) % static_cast<int32_t>(b));
}

// Shift counts are masked to the operand width, as every eBPF runtime does.
constexpr uint64_t lsh64(uint64_t a, uint64_t n) {
  return a << (n & 63);
}
constexpr uint32_t lsh32(uint32_t a, uint64_t n) {
  return a << (n & 31);
}
constexpr uint64_t rsh64(uint64_t a, uint64_t n) {
  return a >> (n & 63);
}
constexpr uint32_t rsh32(uint32_t a, uint64_t n) {
  return a >> (n & 31);
}
// C++20 defines >> of a negative value as an arithmetic shift.
constexpr uint64_t arsh64(uint64_t a, uint64_t n) {
  return static_cast<uint64_t>(static_cast<int64_t>(a) >> (n & 63));
}
constexpr uint32_t arsh32(uint32_t a, uint64_t n) {
  return static_cast<uint32_t>(static_cast<int32_t>(a) >> (n & 31));
}

// MOVSX and the sign-extending loads: sign-extend the low `bits` bits to 64 bits.
template <int bits>
constexpr uint64_t sign_extend(uint64_t value) {
  static_assert(bits == 8 || bits == 16 || bits == 32);
  if constexpr (bits == 8)
    return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(value)));
  if constexpr (bits == 16)
    return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int16_t>(value)));
  return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(value)));
}

// Byte-order conversions of the low 16/32/64 bits, zero-extended (END and bswap).
// (std::byteswap is C++23; the GCC/Clang builtins are constexpr.)
constexpr uint64_t bswap16(uint64_t v) {
  return __builtin_bswap16(static_cast<uint16_t>(v));
}
constexpr uint64_t bswap32(uint64_t v) {
  return __builtin_bswap32(static_cast<uint32_t>(v));
}
constexpr uint64_t bswap64(uint64_t v) {
  return __builtin_bswap64(v);
}
constexpr bool kHostIsLittleEndian = std::endian::native == std::endian::little;
constexpr uint64_t to_le16(uint64_t v) {
  return kHostIsLittleEndian ? uint16_t(v) : bswap16(v);
}
constexpr uint64_t to_le32(uint64_t v) {
  return kHostIsLittleEndian ? uint32_t(v) : bswap32(v);
}
constexpr uint64_t to_le64(uint64_t v) {
  return kHostIsLittleEndian ? v : bswap64(v);
}
constexpr uint64_t to_be16(uint64_t v) {
  return kHostIsLittleEndian ? bswap16(v) : uint16_t(v);
}
constexpr uint64_t to_be32(uint64_t v) {
  return kHostIsLittleEndian ? bswap32(v) : uint32_t(v);
}
constexpr uint64_t to_be64(uint64_t v) {
  return kHostIsLittleEndian ? bswap64(v) : v;
}

}  // namespace nicsim::ebpf::interp::alu
