#include "verifier/domain/scalar.h"

#include <fmt/format.h>

#include <array>

namespace nicsim::verifier {
namespace {

constexpr uint64_t kLow32 = 0xffffffffULL;
constexpr uint64_t kHigh32 = ~kLow32;

// Tightens the four intervals to the extremes the tnum allows.
void bounds_from_bits(Scalar& s) {
  const Tnum b = s.bits;
  const uint64_t sign = uint64_t{1} << 63;
  s.u64.clamp_to(b.umin(), b.umax());
  s.s64.clamp_to(static_cast<int64_t>(b.value() | (b.mask() & sign)),
                 static_cast<int64_t>(b.value() | (b.mask() & ~sign)));
  const Tnum lo = b.low32();
  const uint32_t sign32 = 0x80000000U;
  const auto v = static_cast<uint32_t>(lo.value());
  const auto m = static_cast<uint32_t>(lo.mask());
  s.u32.clamp_to(v, v | m);
  s.s32.clamp_to(static_cast<int32_t>(v | (m & sign32)), static_cast<int32_t>(v | (m & ~sign32)));
}

// Signed and unsigned views of one width: each interval that does not wrap in the other
// view's order constrains that view directly; a signed interval that spans zero splits into
// two unsigned pieces, of which the unsigned interval may exclude one.
template <typename U, typename S>
void cross_sign(Interval<U>& u, Interval<S>& s) {
  if (static_cast<S>(u.min) <= static_cast<S>(u.max)) {
    s.clamp_to(static_cast<S>(u.min), static_cast<S>(u.max));
  }
  if (static_cast<U>(s.min) <= static_cast<U>(s.max)) {
    u.clamp_to(static_cast<U>(s.min), static_cast<U>(s.max));
  } else if (u.max < static_cast<U>(s.min)) {
    // Only the non-negative piece [0, s.max] is possible.
    u.clamp_to(0, static_cast<U>(s.max));
    s.clamp_to(static_cast<S>(u.min), s.max);
  } else if (static_cast<U>(s.max) < u.min) {
    // Only the negative piece [s.min, -1] is possible.
    u.clamp_to(static_cast<U>(s.min), u.max);
    s.clamp_to(s.min, static_cast<S>(u.max));
  }
}

// What the 64-bit bounds say about the low 32 bits.
void low_from_full(Scalar& s) {
  if ((s.u64.min >> 32) == (s.u64.max >> 32)) {
    const auto lo = static_cast<uint32_t>(s.u64.min);
    const auto hi = static_cast<uint32_t>(s.u64.max);
    s.u32.clamp_to(lo, hi);
    if (static_cast<int32_t>(lo) <= static_cast<int32_t>(hi)) {
      s.s32.clamp_to(static_cast<int32_t>(lo), static_cast<int32_t>(hi));
    }
  }
  if ((s.s64.min >> 32) == (s.s64.max >> 32)) {
    const auto lo = static_cast<uint32_t>(s.s64.min);
    const auto hi = static_cast<uint32_t>(s.s64.max);
    if (lo <= hi) s.u32.clamp_to(lo, hi);
    if (static_cast<int32_t>(lo) <= static_cast<int32_t>(hi)) {
      s.s32.clamp_to(static_cast<int32_t>(lo), static_cast<int32_t>(hi));
    }
  }
  // A range crossing from one 4 GiB block into the next one wraps the low half from
  // negative to non-negative, which is contiguous in the signed 32-bit view.
  const auto wraps_into_next_block = [&](uint64_t min, uint64_t max) {
    return static_cast<uint32_t>(min >> 32) + 1 == static_cast<uint32_t>(max >> 32) &&
           static_cast<int32_t>(min) < 0 && static_cast<int32_t>(max) >= 0;
  };
  if (wraps_into_next_block(s.u64.min, s.u64.max)) {
    s.s32.clamp_to(static_cast<int32_t>(s.u64.min), static_cast<int32_t>(s.u64.max));
  }
  const auto smin = static_cast<uint64_t>(s.s64.min);
  const auto smax = static_cast<uint64_t>(s.s64.max);
  if (wraps_into_next_block(smin, smax)) {
    s.s32.clamp_to(static_cast<int32_t>(smin), static_cast<int32_t>(smax));
  }
}

// What the low 32 bits say about the full value.
void full_from_low(Scalar& s) {
  // Within the 4 GiB block of the minimum, values are ordered by their low half, so the
  // minimum's low half is at least u32.min (and symmetrically for the maximum).
  s.u64.clamp_to((s.u64.min & kHigh32) | s.u32.min, (s.u64.max & kHigh32) | s.u32.max);
  s.s64.clamp_to(static_cast<int64_t>((static_cast<uint64_t>(s.s64.min) & kHigh32) | s.u32.min),
                 static_cast<int64_t>((static_cast<uint64_t>(s.s64.max) & kHigh32) | s.u32.max));
  // A value in [INT32_MIN, INT32_MAX] is the sign extension of its low half; one in
  // [0, UINT32_MAX] is its zero extension.
  if (s.s64.min >= INT32_MIN && s.s64.max <= INT32_MAX) {
    s.s64.clamp_to(s.s32.min, s.s32.max);
  }
  if (s.u64.max <= kLow32) {
    s.u64.clamp_to(s.u32.min, s.u32.max);
  }
}

}  // namespace

// The kernel log prints numbers of 16 bits or less in decimal and larger ones in hex.
std::string format_unsigned(uint64_t v) {
  return v <= 0xffff ? fmt::format("{}", v) : fmt::format("{:#x}", v);
}

std::string format_signed(int64_t v) {
  return v >= INT16_MIN && v <= INT16_MAX ? fmt::format("{}", v)
                                          : fmt::format("{:#x}", static_cast<uint64_t>(v));
}

namespace {

// A 32-bit signed bound prints as itself in decimal, or as its 32-bit pattern in hex (so
// that hex never shows a sign extension).
int64_t signed32_for_print(int32_t v) {
  return v >= INT16_MIN && v <= INT16_MAX ? int64_t{v} : int64_t{static_cast<uint32_t>(v)};
}

bool any_empty(const Scalar& s) {
  return s.u64.empty() || s.s64.empty() || s.u32.empty() || s.s32.empty();
}

// Tightens the tnum to the unsigned ranges; false when they share no value.
bool bits_from_bounds(Scalar& s) {
  const Tnum full = Tnum::range(s.u64.min, s.u64.max);
  if (!s.bits.overlaps(full)) return false;
  s.bits = s.bits.intersect(full);
  const Tnum low = s.bits.low32();
  const Tnum low_range = Tnum::range(s.u32.min, s.u32.max);
  if (!low.overlaps(low_range)) return false;
  s.bits = s.bits.with_low32(low.intersect(low_range));
  return true;
}

}  // namespace

Scalar Scalar::constant(uint64_t v) {
  Scalar s;
  s.bits = Tnum::constant(v);
  s.u64 = U64Interval::constant(v);
  s.s64 = S64Interval::constant(static_cast<int64_t>(v));
  s.u32 = U32Interval::constant(static_cast<uint32_t>(v));
  s.s32 = S32Interval::constant(static_cast<int32_t>(v));
  return s;
}

Scalar Scalar::unsigned_range(uint64_t min, uint64_t max) {
  Scalar s;
  s.u64 = {min, max};
  s.sync();
  return s;
}

Scalar Scalar::signed_range(int64_t min, int64_t max) {
  Scalar s;
  s.s64 = {min, max};
  s.sync();
  return s;
}

Scalar Scalar::unknown_of_size(unsigned bytes) {
  if (bytes >= 8) return unknown();
  return unsigned_range(0, (uint64_t{1} << (8 * bytes)) - 1);
}

Scalar Scalar::bottom() {
  Scalar s;
  s.bits = Tnum::constant(0);
  s.u64 = {1, 0};
  s.s64 = {1, 0};
  s.u32 = {1, 0};
  s.s32 = {1, 0};
  return s;
}

bool Scalar::is_unknown() const {
  return bits.is_unknown() && u64.is_full() && s64.is_full() && u32.is_full() && s32.is_full();
}

bool Scalar::is_bottom() const {
  return any_empty(*this);
}

bool Scalar::contains(uint64_t v) const {
  return bits.contains(v) && u64.contains(v) && s64.contains(static_cast<int64_t>(v)) &&
         u32.contains(static_cast<uint32_t>(v)) && s32.contains(static_cast<int32_t>(v));
}

bool Scalar::includes(const Scalar& other) const {
  if (other.is_bottom()) return true;
  return bits.includes(other.bits) && u64.includes(other.u64) && s64.includes(other.s64) &&
         u32.includes(other.u32) && s32.includes(other.s32);
}

Scalar Scalar::join(const Scalar& other) const {
  if (is_bottom()) return other;
  if (other.is_bottom()) return *this;
  Scalar s;
  s.bits = bits.join(other.bits);
  s.u64 = u64.join(other.u64);
  s.s64 = s64.join(other.s64);
  s.u32 = u32.join(other.u32);
  s.s32 = s32.join(other.s32);
  s.sync();
  return s;
}

Scalar Scalar::meet(const Scalar& other) const {
  Scalar s;
  if (!bits.overlaps(other.bits)) return bottom();
  s.bits = bits.intersect(other.bits);
  s.u64 = u64.meet(other.u64);
  s.s64 = s64.meet(other.s64);
  s.u32 = u32.meet(other.u32);
  s.s32 = s32.meet(other.s32);
  s.sync();
  return s;
}

bool Scalar::sync() {
  // Each round only narrows; a handful of rounds reaches the fixpoint in practice, and
  // stopping early is still sound.
  for (int round = 0; round < 6; ++round) {
    const Scalar before = *this;
    bounds_from_bits(*this);
    low_from_full(*this);
    cross_sign(u64, s64);
    cross_sign(u32, s32);
    full_from_low(*this);
    cross_sign(u64, s64);
    if (any_empty(*this) || !bits_from_bounds(*this)) {
      *this = bottom();
      return false;
    }
    bounds_from_bits(*this);
    if (any_empty(*this)) {
      *this = bottom();
      return false;
    }
    if (*this == before) break;
  }
  return true;
}

Scalar Scalar::zero_extend32() const {
  if (is_bottom()) return *this;
  Scalar s;
  s.bits = bits.low32();
  s.u32 = u32;
  s.s32 = s32;
  s.u64 = {u32.min, u32.max};
  s.s64 = {u32.min, u32.max};
  s.sync();
  return s;
}

Scalar Scalar::truncate(unsigned bytes) const {
  if (bytes >= 8 || is_bottom()) return *this;
  if (bytes == 4) return zero_extend32();
  const unsigned width = 8 * bytes;
  const uint64_t mask = (uint64_t{1} << width) - 1;
  Scalar s;
  s.bits = bits.truncate(bytes);
  if ((u64.min >> width) == (u64.max >> width)) {
    s.u64 = {u64.min & mask, u64.max & mask};
  } else {
    s.u64 = {0, mask};
  }
  s.sync();
  return s;
}

Scalar Scalar::sign_extend(unsigned bytes) const {
  if (bytes >= 8 || is_bottom()) return *this;
  Scalar s;
  s.bits = bits.sign_extend(bytes);
  if (bytes == 4) {
    s.s64 = {s32.min, s32.max};
  } else {
    const unsigned width = 8 * bytes;
    const Scalar low = truncate(bytes);
    const uint64_t half = uint64_t{1} << (width - 1);
    if (low.u64.max < half) {
      s.s64 = {static_cast<int64_t>(low.u64.min), static_cast<int64_t>(low.u64.max)};
    } else if (low.u64.min >= half) {
      const auto span = static_cast<int64_t>(uint64_t{1} << width);
      s.s64 = {static_cast<int64_t>(low.u64.min) - span, static_cast<int64_t>(low.u64.max) - span};
    } else {
      s.s64 = {-static_cast<int64_t>(half), static_cast<int64_t>(half) - 1};
    }
  }
  s.sync();
  return s;
}

std::string Scalar::to_string() const {
  if (is_bottom()) return "bottom";
  if (is_const()) return format_signed(static_cast<int64_t>(const_value()));
  struct Bound {
    const char* name;
    int64_t value;  // signed bounds as themselves, unsigned ones reinterpreted
    bool is_signed;
    bool omit;
  };
  std::array<Bound, 8> bounds = {{
      {"smin", s64.min, true, s64.min == INT64_MIN},
      {"smax", s64.max, true, s64.max == INT64_MAX},
      {"umin", static_cast<int64_t>(u64.min), false, u64.min == 0},
      {"umax", static_cast<int64_t>(u64.max), false, u64.max == UINT64_MAX},
      {"smin32", signed32_for_print(s32.min), true, s32.min == INT32_MIN},
      {"smax32", signed32_for_print(s32.max), true, s32.max == INT32_MAX},
      {"umin32", static_cast<int64_t>(u32.min), false, u32.min == 0},
      {"umax32", static_cast<int64_t>(u32.max), false, u32.max == UINT32_MAX},
  }};
  std::string out;
  // Equal minimums (and equal maximums) print once under all their names, as the kernel
  // log does: "smin=umin=0". A negative signed bound is never merged with an unsigned one.
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (bounds[i].omit) continue;
    out += out.empty() ? "" : ",";
    out += bounds[i].name;
    const bool negative = bounds[i].is_signed && bounds[i].value < 0;
    for (size_t j = i + 2; j < bounds.size(); j += 2) {
      if (bounds[j].omit || bounds[j].value != bounds[i].value) continue;
      if ((bounds[j].is_signed && bounds[j].value < 0) != negative) continue;
      bounds[j].omit = true;
      out += "=";
      out += bounds[j].name;
    }
    out += "=";
    out += bounds[i].is_signed ? format_signed(bounds[i].value)
                               : format_unsigned(static_cast<uint64_t>(bounds[i].value));
  }
  if (!bits.is_unknown()) {
    out += out.empty() ? "" : ",";
    out += "var_off=" + bits.to_string();
  }
  return out;
}

}  // namespace nicsim::verifier
