#include "verifier/domain/tnum.h"

#include <fmt/format.h>

#include <bit>

namespace nicsim::verifier {

Tnum Tnum::range(uint64_t min, uint64_t max) {
  // Bits above the highest bit in which min and max differ are shared by every member;
  // everything from that bit down may take any value.
  const uint64_t differing = min ^ max;
  const int bits = 64 - std::countl_zero(differing);
  if (bits >= 64) return unknown();
  const uint64_t low = (uint64_t{1} << bits) - 1;
  return Tnum(min & ~low, low);
}

Tnum operator+(Tnum a, Tnum b) {
  // Add both with all unknown bits 0 and with all unknown bits 1: every bit on which the
  // two sums disagree may be reached by a carry, and so is unknown.
  const uint64_t sum_known = a.value_ + b.value_;
  const uint64_t sum_max = sum_known + a.mask_ + b.mask_;
  const uint64_t unknown = (sum_known ^ sum_max) | a.mask_ | b.mask_;
  return Tnum(sum_known & ~unknown, unknown);
}

Tnum operator-(Tnum a, Tnum b) {
  // The extremes are a.max - b.min and a.min - b.max; bits on which they disagree, and the
  // operands' unknown bits, are unknown.
  const uint64_t diff = a.value_ - b.value_;
  const uint64_t high = diff + a.mask_;
  const uint64_t low = diff - b.mask_;
  const uint64_t unknown = (high ^ low) | a.mask_ | b.mask_;
  return Tnum(diff & ~unknown, unknown);
}

Tnum operator*(Tnum a, Tnum b) {
  // a*b = a.value*b.value + (the part contributed by unknown bits). Walk the bits of a:
  // a known 1 bit adds b's unknown part shifted into place; an unknown bit adds anything
  // between 0 and all of b's possible bits.
  const uint64_t known_product = a.value_ * b.value_;
  Tnum unknown_part = Tnum::constant(0);
  while (a.value_ != 0 || a.mask_ != 0) {
    if (a.value_ & 1) {
      unknown_part = unknown_part + Tnum(0, b.mask_);
    } else if (a.mask_ & 1) {
      unknown_part = unknown_part + Tnum(0, b.value_ | b.mask_);
    }
    a = a.lshr(1);
    b = b.shl(1);
  }
  return Tnum::constant(known_product) + unknown_part;
}

Tnum operator&(Tnum a, Tnum b) {
  const uint64_t ones = a.value_ & b.value_;
  const uint64_t maybe = (a.value_ | a.mask_) & (b.value_ | b.mask_);
  return Tnum(ones, maybe & ~ones);
}

Tnum operator|(Tnum a, Tnum b) {
  const uint64_t ones = a.value_ | b.value_;
  return Tnum(ones, (a.mask_ | b.mask_) & ~ones);
}

Tnum operator^(Tnum a, Tnum b) {
  const uint64_t unknown = a.mask_ | b.mask_;
  return Tnum((a.value_ ^ b.value_) & ~unknown, unknown);
}

Tnum Tnum::shl(unsigned shift) const {
  if (shift >= 64) return constant(0);
  return Tnum(value_ << shift, mask_ << shift);
}

Tnum Tnum::lshr(unsigned shift) const {
  if (shift >= 64) return constant(0);
  return Tnum(value_ >> shift, mask_ >> shift);
}

Tnum Tnum::ashr(unsigned shift, unsigned bits) const {
  if (bits == 32) {
    shift = shift > 31 ? 31 : shift;
    const auto v = static_cast<uint32_t>(static_cast<int32_t>(value_) >> shift);
    const auto m = static_cast<uint32_t>(static_cast<int32_t>(mask_) >> shift);
    return Tnum(v, m);
  }
  shift = shift > 63 ? 63 : shift;
  return Tnum(static_cast<uint64_t>(static_cast<int64_t>(value_) >> shift),
              static_cast<uint64_t>(static_cast<int64_t>(mask_) >> shift));
}

Tnum Tnum::intersect(Tnum other) const {
  const uint64_t unknown = mask_ & other.mask_;
  return Tnum((value_ | other.value_) & ~unknown, unknown);
}

Tnum Tnum::join(Tnum other) const {
  const uint64_t unknown = mask_ | other.mask_ | (value_ ^ other.value_);
  return Tnum(value_ & ~unknown, unknown);
}

Tnum Tnum::truncate(unsigned bytes) const {
  if (bytes >= 8) return *this;
  const uint64_t keep = (uint64_t{1} << (bytes * 8)) - 1;
  return Tnum(value_ & keep, mask_ & keep);
}

Tnum Tnum::sign_extend(unsigned bytes) const {
  if (bytes >= 8) return *this;
  const unsigned shift = 64 - bytes * 8;
  return Tnum(static_cast<uint64_t>(static_cast<int64_t>(value_ << shift) >> shift),
              static_cast<uint64_t>(static_cast<int64_t>(mask_ << shift) >> shift));
}

Tnum Tnum::with_low32(Tnum sub) const {
  return clear_low32() | sub.low32();
}

std::string Tnum::to_string() const {
  if (is_const())
    return value_ <= 0xffff ? fmt::format("{}", value_) : fmt::format("{:#x}", value_);
  return fmt::format("({:#x}; {:#x})", value_, mask_);
}

}  // namespace nicsim::verifier
