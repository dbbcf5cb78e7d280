#include "verifier/domain/scalar_compare.h"

#include <gtest/gtest.h>

#include <string>

#include "verifier/test/domain_samples.h"

namespace nicsim::verifier {
namespace {

using testing::all_samples;
using testing::Sample;

constexpr CmpOp kAllCmps[] = {CmpOp::Eq,  CmpOp::Ne,  CmpOp::Set, CmpOp::NotSet,
                              CmpOp::Gt,  CmpOp::Ge,  CmpOp::Lt,  CmpOp::Le,
                              CmpOp::Sgt, CmpOp::Sge, CmpOp::Slt, CmpOp::Sle};

std::string cmp_name(CmpOp op) {
  static const char* names[] = {"eq", "ne", "set", "notset", "gt",  "ge",
                                "lt", "le", "sgt", "sge",    "slt", "sle"};
  return names[static_cast<int>(op)];
}

// Every pair of members that satisfies the comparison survives refinement, and a decided
// outcome agrees with every pair.
void check_compare_soundness(CmpOp op, bool is32) {
  const auto samples = all_samples();
  for (const Sample& a : samples) {
    for (const Sample& b : samples) {
      const auto refined = refine(op, a.value, b.value, is32);
      const Outcome outcome = evaluate(op, a.value, b.value, is32);
      for (uint64_t x : a.members) {
        for (uint64_t y : b.members) {
          const bool holds = concrete_compare(op, x, y, is32);
          if (holds) {
            ASSERT_TRUE(refined.has_value())
                << cmp_name(op) << " refined away " << x << ", " << y << " of ["
                << a.value.to_string() << "] [" << b.value.to_string() << "]";
            ASSERT_TRUE(refined->first.contains(x))
                << cmp_name(op) << (is32 ? "32" : "") << " lost " << x << " from ["
                << a.value.to_string() << "] vs [" << b.value.to_string() << "] -> ["
                << refined->first.to_string() << "]";
            ASSERT_TRUE(refined->second.contains(y))
                << cmp_name(op) << " lost " << y << " from [" << b.value.to_string() << "]";
            ASSERT_NE(outcome, Outcome::Never);
          } else {
            ASSERT_NE(outcome, Outcome::Always);
          }
        }
      }
    }
  }
}

class CompareSoundness : public ::testing::TestWithParam<CmpOp> {};

TEST_P(CompareSoundness, Jmp64) {
  check_compare_soundness(GetParam(), false);
}
TEST_P(CompareSoundness, Jmp32) {
  check_compare_soundness(GetParam(), true);
}

INSTANTIATE_TEST_SUITE_P(AllCmps, CompareSoundness, ::testing::ValuesIn(kAllCmps),
                         [](const auto& info) { return cmp_name(info.param); });

TEST(ScalarCompare, NegationIsComplement) {
  for (CmpOp op : kAllCmps) {
    for (uint64_t a : {0ULL, 1ULL, 5ULL, 0x80000000ULL, ~0ULL}) {
      for (uint64_t b : {0ULL, 1ULL, 5ULL, 0x80000000ULL, ~0ULL}) {
        for (bool is32 : {false, true}) {
          EXPECT_NE(concrete_compare(op, a, b, is32), concrete_compare(negate(op), a, b, is32));
          EXPECT_EQ(concrete_compare(op, a, b, is32),
                    concrete_compare(swap_operands(op), b, a, is32));
        }
      }
    }
  }
}

TEST(ScalarCompare, KnownRefinements) {
  // if r1 < 10 (r1 in [0, 100]): the taken side has r1 in [0, 9], the other [10, 100].
  const Scalar r1 = Scalar::unsigned_range(0, 100);
  const auto taken = refine(CmpOp::Lt, r1, Scalar::constant(10), false);
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->first.u64, (U64Interval{0, 9}));
  const auto fallthrough = refine(CmpOp::Ge, r1, Scalar::constant(10), false);
  ASSERT_TRUE(fallthrough);
  EXPECT_EQ(fallthrough->first.u64, (U64Interval{10, 100}));

  // [20, 30] > 10 always; == 5 never.
  EXPECT_EQ(evaluate(CmpOp::Gt, Scalar::unsigned_range(20, 30), Scalar::constant(10), false),
            Outcome::Always);
  EXPECT_EQ(evaluate(CmpOp::Eq, Scalar::unsigned_range(20, 30), Scalar::constant(5), false),
            Outcome::Never);

  // Signed: x s< 0 with x unknown makes x negative, i.e. the sign bit is set.
  const auto negative = refine(CmpOp::Slt, Scalar::unknown(), Scalar::constant(0), false);
  ASSERT_TRUE(negative);
  EXPECT_EQ(negative->first.s64, (S64Interval{INT64_MIN, -1}));
  EXPECT_EQ(negative->first.bits.value() >> 63, 1U);

  // JSET with a single bit sets that bit; its fall-through clears it.
  const auto set = refine(CmpOp::Set, Scalar::unknown(), Scalar::constant(4), false);
  ASSERT_TRUE(set);
  EXPECT_TRUE(set->first.bits.value() & 4);
  const auto clear = refine(CmpOp::NotSet, Scalar::unknown(), Scalar::constant(4), false);
  ASSERT_TRUE(clear);
  EXPECT_FALSE(clear->first.bits.mask() & 4);
  EXPECT_FALSE(clear->first.bits.value() & 4);

  // A 32-bit compare constrains only the low half: w1 < 8 with r1 unknown leaves the
  // upper bits free but the low half in [0, 7].
  const auto low = refine(CmpOp::Lt, Scalar::unknown(), Scalar::constant(8), true);
  ASSERT_TRUE(low);
  EXPECT_EQ(low->first.u32, (U32Interval{0, 7}));
  EXPECT_FALSE(low->first.u64.is_const());

  // Equality with a constant makes the register that constant.
  const auto eq = refine(CmpOp::Eq, Scalar::unknown(), Scalar::constant(0x1234), false);
  ASSERT_TRUE(eq);
  EXPECT_TRUE(eq->first.bits.equals_const(0x1234));
}

}  // namespace
}  // namespace nicsim::verifier
