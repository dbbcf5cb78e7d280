#include "verifier/domain/scalar_compare.h"

#include <bit>
#include <limits>
#include <type_traits>

namespace nicsim::verifier {
namespace {

// The width a comparison looks at: the intervals of that width and the matching part of
// the tnum. Refinement edits a copy and writes it back.
template <typename U>
struct Side {
  using S = std::make_signed_t<U>;
  Interval<U> u;
  Interval<S> s;
  Tnum t;
};

template <typename U>
Side<U> side_of(const Scalar& v) {
  if constexpr (sizeof(U) == 8) {
    return {v.u64, v.s64, v.bits};
  } else {
    return {v.u32, v.s32, v.bits.low32()};
  }
}

template <typename U>
void write_back(Scalar& v, const Side<U>& side) {
  if constexpr (sizeof(U) == 8) {
    v.u64 = side.u;
    v.s64 = side.s;
    v.bits = side.t;
  } else {
    v.u32 = side.u;
    v.s32 = side.s;
    v.bits = v.bits.with_low32(side.t);
  }
}

// Removes value c from a side when it sits at an end of an interval.
template <typename U>
void exclude(Side<U>& side, U c) {
  using S = std::make_signed_t<U>;
  if (side.u.min == c && side.u.min != std::numeric_limits<U>::max())
    ++side.u.min;
  else if (side.u.max == c && side.u.max != 0)
    --side.u.max;
  const auto sc = static_cast<S>(c);
  if (side.s.min == sc && side.s.min != std::numeric_limits<S>::max())
    ++side.s.min;
  else if (side.s.max == sc && side.s.max != std::numeric_limits<S>::min())
    --side.s.max;
}

template <typename U>
bool is_const(const Side<U>& side) {
  return side.t.is_const() || side.u.is_const();
}
template <typename U>
U const_of(const Side<U>& side) {
  return side.u.is_const() ? side.u.min : static_cast<U>(side.t.value());
}

// Narrows a and b to `a op b`; false when no pair satisfies it.
template <typename U>
bool refine_side(CmpOp op, Side<U>& a, Side<U>& b) {
  using S = std::make_signed_t<U>;
  constexpr U kUMax = std::numeric_limits<U>::max();
  constexpr S kSMin = std::numeric_limits<S>::min();
  constexpr S kSMax = std::numeric_limits<S>::max();
  switch (op) {
    case CmpOp::Eq: {
      if (!a.t.overlaps(b.t)) return false;
      a.u = b.u = a.u.meet(b.u);
      a.s = b.s = a.s.meet(b.s);
      a.t = b.t = a.t.intersect(b.t);
      return !a.u.empty() && !a.s.empty();
    }
    case CmpOp::Ne: {
      if (is_const(a) && is_const(b)) return const_of(a) != const_of(b);
      if (is_const(b)) exclude(a, const_of(b));
      if (is_const(a)) exclude(b, const_of(a));
      return true;
    }
    case CmpOp::Set: {
      if ((a.t.umax() & b.t.umax()) == 0) return false;
      if (is_const(b) && std::has_single_bit(static_cast<U>(const_of(b)))) {
        a.t = a.t | Tnum::constant(const_of(b));
      }
      if (is_const(a) && std::has_single_bit(static_cast<U>(const_of(a)))) {
        b.t = b.t | Tnum::constant(const_of(a));
      }
      return true;
    }
    case CmpOp::NotSet: {
      if ((a.t.value() & b.t.value()) != 0) return false;
      if (is_const(b)) a.t = a.t & Tnum::constant(~uint64_t{const_of(b)});
      if (is_const(a)) b.t = b.t & Tnum::constant(~uint64_t{const_of(a)});
      return true;
    }
    case CmpOp::Lt:
      if (b.u.max == 0 || a.u.min == kUMax) return false;
      a.u.clamp_to(a.u.min, b.u.max - 1);
      b.u.clamp_to(a.u.min + 1, b.u.max);
      return !a.u.empty() && !b.u.empty();
    case CmpOp::Le:
      a.u.clamp_to(a.u.min, b.u.max);
      b.u.clamp_to(a.u.min, b.u.max);
      return !a.u.empty() && !b.u.empty();
    case CmpOp::Slt:
      if (b.s.max == kSMin || a.s.min == kSMax) return false;
      a.s.clamp_to(a.s.min, b.s.max - 1);
      b.s.clamp_to(a.s.min + 1, b.s.max);
      return !a.s.empty() && !b.s.empty();
    case CmpOp::Sle:
      a.s.clamp_to(a.s.min, b.s.max);
      b.s.clamp_to(a.s.min, b.s.max);
      return !a.s.empty() && !b.s.empty();
    case CmpOp::Gt:
      return refine_side(CmpOp::Lt, b, a);
    case CmpOp::Ge:
      return refine_side(CmpOp::Le, b, a);
    case CmpOp::Sgt:
      return refine_side(CmpOp::Slt, b, a);
    case CmpOp::Sge:
      return refine_side(CmpOp::Sle, b, a);
  }
  return true;
}

template <typename U>
std::optional<std::pair<Scalar, Scalar>> refine_width(CmpOp op, const Scalar& a, const Scalar& b) {
  Side<U> sa = side_of<U>(a);
  Side<U> sb = side_of<U>(b);
  if (!refine_side(op, sa, sb)) return std::nullopt;
  std::pair<Scalar, Scalar> result{a, b};
  write_back(result.first, sa);
  write_back(result.second, sb);
  if (!result.first.sync() || !result.second.sync()) return std::nullopt;
  return result;
}

}  // namespace

CmpOp negate(CmpOp op) {
  switch (op) {
    case CmpOp::Eq:
      return CmpOp::Ne;
    case CmpOp::Ne:
      return CmpOp::Eq;
    case CmpOp::Set:
      return CmpOp::NotSet;
    case CmpOp::NotSet:
      return CmpOp::Set;
    case CmpOp::Gt:
      return CmpOp::Le;
    case CmpOp::Ge:
      return CmpOp::Lt;
    case CmpOp::Lt:
      return CmpOp::Ge;
    case CmpOp::Le:
      return CmpOp::Gt;
    case CmpOp::Sgt:
      return CmpOp::Sle;
    case CmpOp::Sge:
      return CmpOp::Slt;
    case CmpOp::Slt:
      return CmpOp::Sge;
    case CmpOp::Sle:
      return CmpOp::Sgt;
  }
  return op;
}

CmpOp swap_operands(CmpOp op) {
  switch (op) {
    case CmpOp::Gt:
      return CmpOp::Lt;
    case CmpOp::Ge:
      return CmpOp::Le;
    case CmpOp::Lt:
      return CmpOp::Gt;
    case CmpOp::Le:
      return CmpOp::Ge;
    case CmpOp::Sgt:
      return CmpOp::Slt;
    case CmpOp::Sge:
      return CmpOp::Sle;
    case CmpOp::Slt:
      return CmpOp::Sgt;
    case CmpOp::Sle:
      return CmpOp::Sge;
    default:
      return op;  // symmetric
  }
}

std::optional<std::pair<Scalar, Scalar>> refine(CmpOp op, const Scalar& a, const Scalar& b,
                                                bool is32) {
  if (a.is_bottom() || b.is_bottom()) return std::nullopt;
  return is32 ? refine_width<uint32_t>(op, a, b) : refine_width<uint64_t>(op, a, b);
}

Outcome evaluate(CmpOp op, const Scalar& a, const Scalar& b, bool is32) {
  const bool can_hold = refine(op, a, b, is32).has_value();
  const bool can_fail = refine(negate(op), a, b, is32).has_value();
  if (can_hold && can_fail) return Outcome::Unknown;
  return can_hold ? Outcome::Always : Outcome::Never;
}

bool concrete_compare(CmpOp op, uint64_t a, uint64_t b, bool is32) {
  if (is32) {
    a = static_cast<uint32_t>(a);
    b = static_cast<uint32_t>(b);
  }
  const auto sa = is32 ? int64_t{static_cast<int32_t>(a)} : static_cast<int64_t>(a);
  const auto sb = is32 ? int64_t{static_cast<int32_t>(b)} : static_cast<int64_t>(b);
  switch (op) {
    case CmpOp::Eq:
      return a == b;
    case CmpOp::Ne:
      return a != b;
    case CmpOp::Set:
      return (a & b) != 0;
    case CmpOp::NotSet:
      return (a & b) == 0;
    case CmpOp::Gt:
      return a > b;
    case CmpOp::Ge:
      return a >= b;
    case CmpOp::Lt:
      return a < b;
    case CmpOp::Le:
      return a <= b;
    case CmpOp::Sgt:
      return sa > sb;
    case CmpOp::Sge:
      return sa >= sb;
    case CmpOp::Slt:
      return sa < sb;
    case CmpOp::Sle:
      return sa <= sb;
  }
  return false;
}

}  // namespace nicsim::verifier
