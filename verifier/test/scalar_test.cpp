#include "verifier/domain/scalar.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "verifier/test/domain_samples.h"

namespace nicsim::verifier {
namespace {

using testing::all_samples;

// Builds the tightest description of a finite set in each view separately (no deduction),
// so that sync() has something to deduce.
Scalar hull_of(const std::vector<uint64_t>& values) {
  Scalar s;
  s.u64 = {*std::min_element(values.begin(), values.end()),
           *std::max_element(values.begin(), values.end())};
  s.s64 = {INT64_MAX, INT64_MIN};
  s.u32 = {UINT32_MAX, 0};
  s.s32 = {INT32_MAX, INT32_MIN};
  Tnum t = Tnum::constant(values.front());
  for (uint64_t v : values) {
    s.s64 = s.s64.join(S64Interval::constant(static_cast<int64_t>(v)));
    s.u32 = s.u32.join(U32Interval::constant(static_cast<uint32_t>(v)));
    s.s32 = s.s32.join(S32Interval::constant(static_cast<int32_t>(v)));
    t = t.join(Tnum::constant(v));
  }
  s.bits = t;
  return s;
}

TEST(Scalar, SyncKeepsEveryMember) {
  std::mt19937_64 rng(7);
  const uint64_t anchors[] = {0,
                              0x7fffffff,
                              0xffffffff,
                              0x100000000,
                              0x7fffffffffffffff,
                              0x8000000000000000,
                              ~uint64_t{0},
                              0xffffffff80000000};
  for (int iteration = 0; iteration < 20000; ++iteration) {
    std::vector<uint64_t> values;
    const int n = 1 + static_cast<int>(rng() % 5);
    for (int i = 0; i < n; ++i) {
      const uint64_t anchor = anchors[rng() % std::size(anchors)];
      const auto delta = static_cast<int64_t>(rng() % 64) - 32;
      values.push_back(anchor + static_cast<uint64_t>(delta));
    }
    Scalar s = hull_of(values);
    ASSERT_TRUE(s.sync());
    for (uint64_t v : values)
      ASSERT_TRUE(s.contains(v)) << v << " lost by " << s.to_string();
  }
}

TEST(Scalar, SyncDeducesAcrossViews) {
  // [0, 255] unsigned: the same numbers signed, in the low half, and as a low byte.
  const Scalar byte = Scalar::unsigned_range(0, 255);
  EXPECT_EQ(byte.s64, (S64Interval{0, 255}));
  EXPECT_EQ(byte.u32, (U32Interval{0, 255}));
  EXPECT_EQ(byte.s32, (S32Interval{0, 255}));
  EXPECT_EQ(byte.bits, Tnum(0, 0xff));

  // [-1, 1] signed: {MAX, 0, 1} unsigned, so only the signed views are narrow.
  const Scalar small = Scalar::signed_range(-1, 1);
  EXPECT_EQ(small.s32, (S32Interval{-1, 1}));
  EXPECT_EQ(small.u64, (U64Interval{0, UINT64_MAX}));

  // An unsigned range below 2^32 whose low half is known >= 8 has a 64-bit minimum of 8.
  Scalar low;
  low.u64 = {0, 0xffffffff};
  low.u32 = {8, 100};
  ASSERT_TRUE(low.sync());
  EXPECT_EQ(low.u64, (U64Interval{8, 100}));

  // Signed [-4, -1] is unsigned [2^64 - 4, 2^64 - 1].
  const Scalar neg = Scalar::signed_range(-4, -1);
  EXPECT_EQ(neg.u64, (U64Interval{UINT64_MAX - 3, UINT64_MAX}));
  EXPECT_EQ(neg.bits, Tnum(~uint64_t{3}, 3));
}

TEST(Scalar, ContradictionsAreBottom) {
  Scalar s;
  s.bits = Tnum::constant(4);
  s.u64 = {5, 5};
  EXPECT_FALSE(s.sync());
  EXPECT_TRUE(s.is_bottom());

  Scalar odd;
  odd.bits = Tnum(1, ~uint64_t{1});  // odd numbers
  odd.u64 = {2, 2};
  EXPECT_FALSE(odd.sync());
}

TEST(Scalar, IncludesAndJoin) {
  const auto samples = all_samples();
  for (size_t i = 0; i < samples.size(); i += 3) {
    for (size_t j = 0; j < samples.size(); j += 5) {
      const auto& a = samples[i];
      const auto& b = samples[j];
      const Scalar joined = a.value.join(b.value);
      for (uint64_t x : a.members)
        ASSERT_TRUE(joined.contains(x));
      for (uint64_t y : b.members)
        ASSERT_TRUE(joined.contains(y));
      ASSERT_TRUE(joined.includes(a.value));
      if (a.value.includes(b.value)) {
        for (uint64_t y : b.members)
          ASSERT_TRUE(a.value.contains(y));
      }
      const Scalar met = a.value.meet(b.value);
      for (uint64_t x : a.members) {
        if (b.value.contains(x)) {
          ASSERT_TRUE(met.contains(x));
        }
      }
    }
  }
}

TEST(Scalar, CastsAreSound) {
  for (const auto& sample : all_samples()) {
    for (unsigned bytes : {1U, 2U, 4U}) {
      const Scalar z = sample.value.truncate(bytes);
      const Scalar s = sample.value.sign_extend(bytes);
      const unsigned shift = 64 - 8 * bytes;
      for (uint64_t x : sample.members) {
        ASSERT_TRUE(z.contains((x << shift) >> shift)) << sample.value.to_string();
        ASSERT_TRUE(s.contains(static_cast<uint64_t>(static_cast<int64_t>(x << shift) >> shift)))
            << sample.value.to_string() << " bytes " << bytes;
      }
    }
  }
}

TEST(Scalar, KernelLogFormat) {
  // The kernel prints a zero-extended byte load as
  // "scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))".
  EXPECT_EQ(Scalar::unsigned_range(0, 255).to_string(),
            "smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)");
  EXPECT_EQ(Scalar::constant(42).to_string(), "42");
  EXPECT_EQ(Scalar::constant(~uint64_t{0}).to_string(), "-1");
  EXPECT_EQ(Scalar::unknown().to_string(), "");
  // Beyond 16 bits the kernel switches to hex.
  EXPECT_EQ(Scalar::unsigned_range(0, 0xfffff).to_string(),
            "smin=smin32=0,smax=umax=smax32=umax32=0xfffff,var_off=(0x0; 0xfffff)");
}

}  // namespace
}  // namespace nicsim::verifier
