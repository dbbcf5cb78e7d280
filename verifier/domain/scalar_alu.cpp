#include "verifier/domain/scalar_alu.h"

#include <algorithm>
#include <bit>
#include <limits>
#include <type_traits>

namespace nicsim::verifier {
namespace {

// One width (32 or 64 bits) of a scalar: its unsigned and signed intervals and its tnum
// (for 32 bits, the low half of the tnum with the upper half zero).
template <typename U>
struct View {
  using S = std::make_signed_t<U>;
  Interval<U> u;
  Interval<S> s;
  Tnum t;
};

template <typename U>
struct Wide;
template <>
struct Wide<uint64_t> {
  using Signed = __int128;
  using Unsigned = unsigned __int128;
};
template <>
struct Wide<uint32_t> {
  using Signed = int64_t;
  using Unsigned = uint64_t;
};

template <typename U>
constexpr unsigned kBits = sizeof(U) * 8;

template <typename U>
Tnum fit(Tnum t) {
  return kBits<U> == 64 ? t : t.truncate(4);
}

View<uint64_t> view64(const Scalar& v) {
  return {v.u64, v.s64, v.bits};
}
View<uint32_t> view32(const Scalar& v) {
  return {v.u32, v.s32, v.bits.low32()};
}

template <typename U>
View<U> full_view() {
  return {Interval<U>::full(), Interval<std::make_signed_t<U>>::full(), fit<U>(Tnum::unknown())};
}

// A signed interval from wide extremes: exact when both fit, shifted when both wrapped by
// the same amount (every value between them wrapped alike), otherwise everything.
template <typename U>
Interval<std::make_signed_t<U>> signed_from_wide(typename Wide<U>::Signed lo,
                                                 typename Wide<U>::Signed hi) {
  using S = std::make_signed_t<U>;
  using W = typename Wide<U>::Signed;
  const W min = std::numeric_limits<S>::min();
  const W max = std::numeric_limits<S>::max();
  const W span = W{1} << kBits<U>;
  if (lo >= min && hi <= max) return {static_cast<S>(lo), static_cast<S>(hi)};
  if (lo > max && hi > max && hi - span <= max) {
    return {static_cast<S>(lo - span), static_cast<S>(hi - span)};
  }
  if (lo < min && hi < min && lo + span >= min) {
    return {static_cast<S>(lo + span), static_cast<S>(hi + span)};
  }
  return Interval<S>::full();
}

// Unsigned counterpart: extremes in [-2^bits, 2^(bits+1)).
template <typename U>
Interval<U> unsigned_from_wide(typename Wide<U>::Signed lo, typename Wide<U>::Signed hi) {
  using W = typename Wide<U>::Signed;
  const W span = W{1} << kBits<U>;
  if (lo >= 0 && hi < span) return {static_cast<U>(lo), static_cast<U>(hi)};
  if (lo >= span && hi >= span) return {static_cast<U>(lo - span), static_cast<U>(hi - span)};
  if (lo < 0 && hi < 0) return {static_cast<U>(lo + span), static_cast<U>(hi + span)};
  return Interval<U>::full();
}

template <typename U>
View<U> add(const View<U>& a, const View<U>& b) {
  using W = typename Wide<U>::Signed;
  View<U> r;
  r.t = fit<U>(a.t + b.t);
  r.u = unsigned_from_wide<U>(W(a.u.min) + W(b.u.min), W(a.u.max) + W(b.u.max));
  r.s = signed_from_wide<U>(W(a.s.min) + W(b.s.min), W(a.s.max) + W(b.s.max));
  return r;
}

template <typename U>
View<U> sub(const View<U>& a, const View<U>& b) {
  using W = typename Wide<U>::Signed;
  View<U> r;
  r.t = fit<U>(a.t - b.t);
  r.u = unsigned_from_wide<U>(W(a.u.min) - W(b.u.max), W(a.u.max) - W(b.u.min));
  r.s = signed_from_wide<U>(W(a.s.min) - W(b.s.max), W(a.s.max) - W(b.s.min));
  return r;
}

template <typename U>
View<U> mul(const View<U>& a, const View<U>& b) {
  using S = std::make_signed_t<U>;
  using W = typename Wide<U>::Signed;
  using UW = typename Wide<U>::Unsigned;
  View<U> r;
  r.t = fit<U>(a.t * b.t);
  const UW umax = UW(a.u.max) * UW(b.u.max);
  r.u = umax <= std::numeric_limits<U>::max()
            ? Interval<U>{static_cast<U>(a.u.min * b.u.min), static_cast<U>(umax)}
            : Interval<U>::full();
  const W corners[] = {W(a.s.min) * W(b.s.min), W(a.s.min) * W(b.s.max), W(a.s.max) * W(b.s.min),
                       W(a.s.max) * W(b.s.max)};
  const W lo = *std::min_element(std::begin(corners), std::end(corners));
  const W hi = *std::max_element(std::begin(corners), std::end(corners));
  r.s = lo >= std::numeric_limits<S>::min() && hi <= std::numeric_limits<S>::max()
            ? Interval<S>{static_cast<S>(lo), static_cast<S>(hi)}
            : Interval<S>::full();
  return r;
}

template <typename U>
View<U> udiv(const View<U>& a, const View<U>& b) {
  View<U> r = full_view<U>();
  if (b.u.max == 0) {
    r.u = Interval<U>::constant(0);
  } else if (b.u.min == 0) {
    r.u = {0, a.u.max};  // x / 0 == 0, and x / y <= x otherwise
  } else {
    r.u = {static_cast<U>(a.u.min / b.u.max), static_cast<U>(a.u.max / b.u.min)};
  }
  return r;
}

template <typename U>
View<U> umod(const View<U>& a, const View<U>& b) {
  if (b.u.max == 0) return a;       // x % 0 == x
  if (b.u.min > a.u.max) return a;  // x % y == x when x < y
  View<U> r = full_view<U>();
  if (b.u.min == 0) {
    r.u = {0, a.u.max};  // x % y <= x, including y == 0
  } else {
    r.u = {0, std::min<U>(a.u.max, b.u.max - 1)};
  }
  if (b.t.is_const() && std::has_single_bit(b.t.value())) {
    r.t = a.t & Tnum::constant(b.t.value() - 1);
  }
  return r;
}

template <typename U>
View<U> sdiv(const View<U>& a, const View<U>& b) {
  using S = std::make_signed_t<U>;
  View<U> r = full_view<U>();
  const S min = std::numeric_limits<S>::min();
  // Only INT_MIN / -1 can exceed the dividend's magnitude (it wraps to INT_MIN).
  if (a.s.min == min && b.s.contains(-1)) return r;
  if (a.s.min == min) {
    r.s = {min, static_cast<S>(-(min + 1))};
    return r;
  }
  const S magnitude =
      std::max<S>(a.s.min < 0 ? -a.s.min : a.s.min, a.s.max < 0 ? -a.s.max : a.s.max);
  r.s = {static_cast<S>(-magnitude), magnitude};
  return r;
}

template <typename U>
View<U> smod(const View<U>& a, const View<U>& b) {
  using S = std::make_signed_t<U>;
  View<U> r = full_view<U>();
  const S min = std::numeric_limits<S>::min();
  if (b.s.max == 0 && b.s.min == 0) return a;  // x % 0 == x
  if (b.s.min == min) return r;
  // |x % y| < |y| and the result has the dividend's sign (or is zero).
  // y == 0 leaves x unchanged, which the dividend's own bounds cover.
  const S bound =
      b.s.contains(0)
          ? std::numeric_limits<S>::max()
          : std::max<S>(b.s.min < 0 ? -b.s.min : b.s.min, b.s.max < 0 ? -b.s.max : b.s.max) - 1;
  const S lo = a.s.min >= 0 ? 0 : (b.s.contains(0) ? a.s.min : std::max<S>(a.s.min, -bound));
  const S hi = a.s.max <= 0 ? 0 : std::min<S>(a.s.max, bound);
  r.s = {lo, hi};
  return r;
}

template <typename U>
View<U> bit_and(const View<U>& a, const View<U>& b) {
  using S = std::make_signed_t<U>;
  View<U> r = full_view<U>();
  r.t = a.t & b.t;
  r.u = {static_cast<U>(r.t.umin()), std::min(a.u.max, b.u.max)};
  // A non-negative operand bounds the result from above and keeps it non-negative.
  if (a.s.min >= 0 || b.s.min >= 0) {
    S hi = std::numeric_limits<S>::max();
    if (a.s.min >= 0) hi = std::min(hi, a.s.max);
    if (b.s.min >= 0) hi = std::min(hi, b.s.max);
    r.s = {0, hi};
  }
  return r;
}

template <typename U>
View<U> bit_or(const View<U>& a, const View<U>& b) {
  using S = std::make_signed_t<U>;
  View<U> r = full_view<U>();
  r.t = a.t | b.t;
  r.u = {std::max(a.u.min, b.u.min), static_cast<U>(r.t.umax())};
  // Or-ing bits into a negative number keeps it negative and never lowers it.
  if (a.s.max < 0) r.s.clamp_to(a.s.min, S{-1});
  if (b.s.max < 0) r.s.clamp_to(b.s.min, S{-1});
  if (a.s.min >= 0 && b.s.min >= 0) r.s.clamp_to(std::max(a.s.min, b.s.min), r.s.max);
  return r;
}

template <typename U>
View<U> bit_xor(const View<U>& a, const View<U>& b) {
  View<U> r = full_view<U>();
  r.t = a.t ^ b.t;
  r.u = {static_cast<U>(r.t.umin()), static_cast<U>(r.t.umax())};
  return r;
}

// Shift amounts outside [0, bits) make the result unknown, as in the kernel.
template <typename U>
bool shift_in_range(const View<U>& b) {
  return b.u.max < kBits<U>;
}

template <typename U, typename F>
Tnum join_over_shifts(const View<U>& b, F shifted) {
  Tnum t = shifted(static_cast<unsigned>(b.u.min));
  for (uint64_t k = b.u.min + 1; k <= b.u.max; ++k) {
    if (b.t.contains(k)) t = t.join(shifted(static_cast<unsigned>(k)));
  }
  return t;
}

template <typename U>
View<U> lsh(const View<U>& a, const View<U>& b) {
  using S = std::make_signed_t<U>;
  using W = typename Wide<U>::Signed;
  View<U> r = full_view<U>();
  if (!shift_in_range(b)) return r;
  const auto kmin = static_cast<unsigned>(b.u.min);
  const auto kmax = static_cast<unsigned>(b.u.max);
  r.t = join_over_shifts(b, [&](unsigned k) { return fit<U>(a.t.shl(k)); });
  if (a.u.max <= (std::numeric_limits<U>::max() >> kmax)) {
    r.u = {static_cast<U>(a.u.min << kmin), static_cast<U>(a.u.max << kmax)};
  }
  const W corners[] = {W(a.s.min) * (W{1} << kmin), W(a.s.min) * (W{1} << kmax),
                       W(a.s.max) * (W{1} << kmin), W(a.s.max) * (W{1} << kmax)};
  const W lo = *std::min_element(std::begin(corners), std::end(corners));
  const W hi = *std::max_element(std::begin(corners), std::end(corners));
  if (lo >= std::numeric_limits<S>::min() && hi <= std::numeric_limits<S>::max()) {
    r.s = {static_cast<S>(lo), static_cast<S>(hi)};
  }
  return r;
}

template <typename U>
View<U> rsh(const View<U>& a, const View<U>& b) {
  View<U> r = full_view<U>();
  if (!shift_in_range(b)) return r;
  const auto kmin = static_cast<unsigned>(b.u.min);
  const auto kmax = static_cast<unsigned>(b.u.max);
  r.t = join_over_shifts(b, [&](unsigned k) { return a.t.lshr(k); });
  r.u = {static_cast<U>(a.u.min >> kmax), static_cast<U>(a.u.max >> kmin)};
  return r;
}

template <typename U>
View<U> arsh(const View<U>& a, const View<U>& b) {
  using S = std::make_signed_t<U>;
  View<U> r = full_view<U>();
  if (!shift_in_range(b)) return r;
  const auto kmin = static_cast<unsigned>(b.u.min);
  const auto kmax = static_cast<unsigned>(b.u.max);
  r.t = join_over_shifts(b, [&](unsigned k) { return fit<U>(a.t.ashr(k, kBits<U>)); });
  // Shifting moves a number towards 0 (non-negative) or -1 (negative).
  const S lo = a.s.min < 0 ? static_cast<S>(a.s.min >> kmin) : static_cast<S>(a.s.min >> kmax);
  const S hi = a.s.max >= 0 ? static_cast<S>(a.s.max >> kmin) : static_cast<S>(a.s.max >> kmax);
  r.s = {lo, hi};
  return r;
}

template <typename U>
View<U> compute(AluOp op, const View<U>& a, const View<U>& b) {
  switch (op) {
    case AluOp::Add:
      return add(a, b);
    case AluOp::Sub:
      return sub(a, b);
    case AluOp::Mul:
      return mul(a, b);
    case AluOp::Div:
      return udiv(a, b);
    case AluOp::SDiv:
      return sdiv(a, b);
    case AluOp::Mod:
      return umod(a, b);
    case AluOp::SMod:
      return smod(a, b);
    case AluOp::Or:
      return bit_or(a, b);
    case AluOp::And:
      return bit_and(a, b);
    case AluOp::Xor:
      return bit_xor(a, b);
    case AluOp::Lsh:
      return lsh(a, b);
    case AluOp::Rsh:
      return rsh(a, b);
    case AluOp::Arsh:
      return arsh(a, b);
  }
  return full_view<U>();
}

// Operations whose low 32 result bits depend only on the low 32 bits of the operands.
bool low_half_is_closed(AluOp op) {
  switch (op) {
    case AluOp::Add:
    case AluOp::Sub:
    case AluOp::Mul:
    case AluOp::Or:
    case AluOp::And:
    case AluOp::Xor:
      return true;
    default:
      return false;
  }
}

template <typename U>
U concrete(AluOp op, U dst, U src) {
  using S = std::make_signed_t<U>;
  const unsigned shift_mask = kBits<U> - 1;
  const auto sdst = static_cast<S>(dst);
  const auto ssrc = static_cast<S>(src);
  switch (op) {
    case AluOp::Add:
      return static_cast<U>(dst + src);
    case AluOp::Sub:
      return static_cast<U>(dst - src);
    case AluOp::Mul:
      return static_cast<U>(dst * src);
    case AluOp::Div:
      return src == 0 ? 0 : static_cast<U>(dst / src);
    case AluOp::Mod:
      return src == 0 ? dst : static_cast<U>(dst % src);
    case AluOp::SDiv:
      if (src == 0) return 0;
      if (ssrc == -1) return static_cast<U>(U{0} - dst);  // INT_MIN / -1 wraps
      return static_cast<U>(sdst / ssrc);
    case AluOp::SMod:
      if (src == 0) return dst;
      if (ssrc == -1) return 0;
      return static_cast<U>(sdst % ssrc);
    case AluOp::Or:
      return dst | src;
    case AluOp::And:
      return dst & src;
    case AluOp::Xor:
      return dst ^ src;
    case AluOp::Lsh:
      return static_cast<U>(dst << (src & shift_mask));
    case AluOp::Rsh:
      return static_cast<U>(dst >> (src & shift_mask));
    case AluOp::Arsh:
      return static_cast<U>(sdst >> (src & shift_mask));
  }
  return 0;
}

}  // namespace

uint64_t concrete_alu64(AluOp op, uint64_t dst, uint64_t src) {
  return concrete(op, dst, src);
}
uint32_t concrete_alu32(AluOp op, uint32_t dst, uint32_t src) {
  return concrete(op, dst, src);
}

Scalar alu64(AluOp op, const Scalar& dst, const Scalar& src) {
  if (dst.is_bottom() || src.is_bottom()) return Scalar::bottom();
  if (dst.is_const() && src.is_const()) {
    return Scalar::constant(concrete_alu64(op, dst.const_value(), src.const_value()));
  }
  const View<uint64_t> r = compute(op, view64(dst), view64(src));
  Scalar result;
  result.bits = r.t;
  result.u64 = r.u;
  result.s64 = r.s;
  if (low_half_is_closed(op)) {
    const View<uint32_t> low = compute(op, view32(dst), view32(src));
    result.u32 = low.u;
    result.s32 = low.s;
    const Tnum low_bits = result.bits.low32();
    if (low_bits.overlaps(low.t)) result.bits = result.bits.with_low32(low_bits.intersect(low.t));
  }
  result.sync();
  return result;
}

Scalar alu32(AluOp op, const Scalar& dst, const Scalar& src) {
  if (dst.is_bottom() || src.is_bottom()) return Scalar::bottom();
  if (dst.is_const32() && src.is_const32()) {
    return Scalar::constant(concrete_alu32(op, dst.const_value32(), src.const_value32()));
  }
  const View<uint32_t> r = compute(op, view32(dst), view32(src));
  Scalar result;
  result.bits = r.t;
  result.u32 = r.u;
  result.s32 = r.s;
  result.u64 = {0, 0xffffffffULL};
  result.s64 = {0, 0xffffffffLL};
  result.sync();
  return result.zero_extend32();
}

Scalar neg64(const Scalar& v) {
  return alu64(AluOp::Sub, Scalar::constant(0), v);
}
Scalar neg32(const Scalar& v) {
  return alu32(AluOp::Sub, Scalar::constant(0), v);
}

Scalar byte_swap(const Scalar& v, unsigned bits) {
  if (v.is_bottom()) return v;
  const auto swap = [bits](uint64_t x) -> uint64_t {
    switch (bits) {
      case 16:
        return __builtin_bswap16(static_cast<uint16_t>(x));
      case 32:
        return __builtin_bswap32(static_cast<uint32_t>(x));
      default:
        return __builtin_bswap64(x);
    }
  };
  // A byte swap permutes bits, so each bit's knowledge moves with it.
  Scalar result;
  result.bits = Tnum(swap(v.bits.value()), swap(v.bits.mask()));
  result.sync();
  return result;
}

}  // namespace nicsim::verifier
