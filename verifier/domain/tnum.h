#pragma once
// Tristate numbers ("tnums"): a 64-bit value in which every bit is known 0, known 1 or
// unknown. `value` holds the known 1 bits, `mask` the unknown ones; a bit is never both.
// The transfer functions follow the Linux verifier's definitions (kernel/bpf/tnum.c), so
// that nicsim agrees with the kernel on what it can prove about bit patterns.

#include <cstdint>
#include <string>

namespace nicsim::verifier {

class Tnum {
 public:
  constexpr Tnum() = default;  // the constant 0
  constexpr Tnum(uint64_t value, uint64_t mask) : value_(value & ~mask), mask_(mask) {}

  static constexpr Tnum constant(uint64_t v) { return Tnum(v, 0); }
  static constexpr Tnum unknown() { return Tnum(0, ~uint64_t{0}); }
  // The smallest tnum containing every value of [min, max] (unsigned).
  static Tnum range(uint64_t min, uint64_t max);

  constexpr uint64_t value() const { return value_; }
  constexpr uint64_t mask() const { return mask_; }
  constexpr bool is_const() const { return mask_ == 0; }
  constexpr bool is_unknown() const { return mask_ == ~uint64_t{0}; }
  constexpr bool equals_const(uint64_t v) const { return is_const() && value_ == v; }
  // Smallest and largest unsigned members.
  constexpr uint64_t umin() const { return value_; }
  constexpr uint64_t umax() const { return value_ | mask_; }
  // Whether concrete `v` is a member.
  constexpr bool contains(uint64_t v) const { return (v & ~mask_) == value_; }
  // Whether every member of `other` is a member of this one.
  constexpr bool includes(const Tnum& other) const {
    return (other.mask_ & ~mask_) == 0 && (other.value_ & ~mask_) == value_;
  }
  // Whether the two share at least one member.
  constexpr bool overlaps(const Tnum& other) const {
    const uint64_t known = ~mask_ & ~other.mask_;
    return (value_ & known) == (other.value_ & known);
  }
  // True when every member is a multiple of `size` (a power of two).
  constexpr bool is_aligned(uint64_t size) const {
    return size == 0 || ((value_ | mask_) & (size - 1)) == 0;
  }

  friend Tnum operator+(Tnum a, Tnum b);
  friend Tnum operator-(Tnum a, Tnum b);
  friend Tnum operator*(Tnum a, Tnum b);
  friend Tnum operator&(Tnum a, Tnum b);
  friend Tnum operator|(Tnum a, Tnum b);
  friend Tnum operator^(Tnum a, Tnum b);
  Tnum shl(unsigned shift) const;
  Tnum lshr(unsigned shift) const;
  // Arithmetic right shift of a value `bits` (32 or 64) wide.
  Tnum ashr(unsigned shift, unsigned bits) const;

  // Members of both (the caller knows they overlap).
  Tnum intersect(Tnum other) const;
  // Smallest tnum containing the members of both.
  Tnum join(Tnum other) const;
  // Keeps the low `bytes` bytes (zero extension of a truncated value).
  Tnum truncate(unsigned bytes) const;
  // Sign-extends the low `bytes` bytes to 64 bits.
  Tnum sign_extend(unsigned bytes) const;
  Tnum low32() const { return truncate(4); }
  Tnum clear_low32() const { return Tnum(value_ & ~0xffffffffULL, mask_ & ~0xffffffffULL); }
  // This tnum's upper half with `sub`'s lower half.
  Tnum with_low32(Tnum sub) const;

  // "(0x10; 0x3)" as the kernel log prints var_off; "0x12" for a constant.
  std::string to_string() const;

  friend constexpr bool operator==(const Tnum&, const Tnum&) = default;

 private:
  uint64_t value_ = 0;
  uint64_t mask_ = 0;
};

}  // namespace nicsim::verifier
