#pragma once
// Closed intervals [min, max] over one of the four integer views the verifier keeps of a
// register: signed and unsigned, 64 and 32 bits. An interval with min > max is empty.

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <limits>

namespace nicsim::verifier {

template <std::integral T>
struct Interval {
  T min = std::numeric_limits<T>::min();
  T max = std::numeric_limits<T>::max();

  static constexpr Interval full() { return {}; }
  static constexpr Interval constant(T v) { return {v, v}; }

  constexpr bool empty() const { return min > max; }
  constexpr bool is_full() const {
    return min == std::numeric_limits<T>::min() && max == std::numeric_limits<T>::max();
  }
  constexpr bool is_const() const { return min == max; }
  constexpr bool contains(T v) const { return min <= v && v <= max; }
  constexpr bool includes(const Interval& o) const { return min <= o.min && o.max <= max; }
  constexpr Interval meet(const Interval& o) const {
    return {std::max(min, o.min), std::min(max, o.max)};
  }
  constexpr Interval join(const Interval& o) const {
    return {std::min(min, o.min), std::max(max, o.max)};
  }
  // Narrows this interval to [lo, hi] where that is tighter.
  constexpr void clamp_to(T lo, T hi) {
    min = std::max(min, lo);
    max = std::min(max, hi);
  }

  friend constexpr bool operator==(const Interval&, const Interval&) = default;
};

using U64Interval = Interval<uint64_t>;
using S64Interval = Interval<int64_t>;
using U32Interval = Interval<uint32_t>;
using S32Interval = Interval<int32_t>;

}  // namespace nicsim::verifier
