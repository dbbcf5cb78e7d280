#pragma once
// The scalar domain: what the verifier knows about a 64-bit number, as the Linux verifier
// keeps it — a tnum plus signed and unsigned bounds on the full 64 bits and on the low 32
// bits. The five views constrain each other; sync() propagates what one view knows into the
// others (the kernel's reg_bounds_sync) and detects an empty set of values.

#include <cstdint>
#include <string>

#include "verifier/domain/interval.h"
#include "verifier/domain/tnum.h"

namespace nicsim::verifier {

struct Scalar {
  Tnum bits = Tnum::unknown();
  U64Interval u64;
  S64Interval s64;
  U32Interval u32;
  S32Interval s32;

  static Scalar unknown() { return {}; }
  static Scalar constant(uint64_t v);
  // Every value of the unsigned range [min, max] (then synced).
  static Scalar unsigned_range(uint64_t min, uint64_t max);
  static Scalar signed_range(int64_t min, int64_t max);
  // Zero-extended value of `bytes` bytes (a narrow load): [0, 2^(8*bytes) - 1].
  static Scalar unknown_of_size(unsigned bytes);
  // The abstract value holding no concrete value at all.
  static Scalar bottom();

  bool is_const() const { return bits.is_const(); }
  uint64_t const_value() const { return bits.value(); }
  bool is_const32() const { return bits.low32().is_const(); }
  uint32_t const_value32() const { return static_cast<uint32_t>(bits.value()); }
  bool is_unknown() const;
  bool is_bottom() const;
  // Whether concrete `v` satisfies all five views.
  bool contains(uint64_t v) const;
  // Whether every value of `other` is a value of this one (state pruning).
  bool includes(const Scalar& other) const;
  // The smallest scalar holding the values of both.
  Scalar join(const Scalar& other) const;
  // Values of both (then synced; may be bottom).
  Scalar meet(const Scalar& other) const;

  // Propagates knowledge between the views until nothing changes (bounded number of rounds).
  // Returns false when the views contradict each other: no concrete value remains, and the
  // scalar is left as bottom().
  bool sync();

  // The value with its upper 32 bits cleared (the result of every 32-bit operation).
  Scalar zero_extend32() const;
  // The low `bytes` bytes, zero-extended (narrow loads, mov32, to_le).
  Scalar truncate(unsigned bytes) const;
  // The low `bytes` bytes, sign-extended to 64 bits (movsx, ldsx).
  Scalar sign_extend(unsigned bytes) const;

  // Kernel-log form: "42", "scalar(umax=255,var_off=(0x0; 0xff))"... without the type name:
  // the text between the parentheses, or the constant.
  std::string to_string() const;

  friend bool operator==(const Scalar&, const Scalar&) = default;
};

// Numbers as the kernel log prints them: decimal up to 16 bits, hex beyond.
std::string format_unsigned(uint64_t v);
std::string format_signed(int64_t v);

}  // namespace nicsim::verifier
