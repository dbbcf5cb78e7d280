#include "verifier/domain/scalar_alu.h"

#include <gtest/gtest.h>

#include <string>

#include "verifier/test/domain_samples.h"

namespace nicsim::verifier {
namespace {

using testing::all_samples;
using testing::Sample;

constexpr AluOp kAllOps[] = {AluOp::Add, AluOp::Sub,  AluOp::Mul, AluOp::Div, AluOp::SDiv,
                             AluOp::Mod, AluOp::SMod, AluOp::Or,  AluOp::And, AluOp::Xor,
                             AluOp::Lsh, AluOp::Rsh,  AluOp::Arsh};

std::string op_name(AluOp op) {
  static const char* names[] = {"add", "sub", "mul", "div", "sdiv", "mod", "smod",
                                "or",  "and", "xor", "lsh", "rsh",  "arsh"};
  return names[static_cast<int>(op)];
}

// Shift amounts are meaningful only below the width; larger shift operands make the
// abstract result unknown, which the soundness check covers as well.
void check_op_soundness(AluOp op, bool is32) {
  const auto samples = all_samples();
  for (const Sample& a : samples) {
    for (const Sample& b : samples) {
      const Scalar r = is32 ? alu32(op, a.value, b.value) : alu64(op, a.value, b.value);
      for (uint64_t x : a.members) {
        for (uint64_t y : b.members) {
          const uint64_t expected =
              is32 ? concrete_alu32(op, static_cast<uint32_t>(x), static_cast<uint32_t>(y))
                   : concrete_alu64(op, x, y);
          ASSERT_TRUE(r.contains(expected))
              << op_name(op) << (is32 ? "32" : "64") << " of [" << a.value.to_string() << "] and ["
              << b.value.to_string() << "] = [" << r.to_string() << "] misses " << x << " op " << y
              << " = " << expected;
        }
      }
    }
  }
}

class AluSoundness : public ::testing::TestWithParam<AluOp> {};

TEST_P(AluSoundness, Alu64) {
  check_op_soundness(GetParam(), false);
}
TEST_P(AluSoundness, Alu32) {
  check_op_soundness(GetParam(), true);
}

INSTANTIATE_TEST_SUITE_P(AllOps, AluSoundness, ::testing::ValuesIn(kAllOps),
                         [](const auto& info) { return op_name(info.param); });

TEST(ScalarAlu, NegAndByteSwapAreSound) {
  for (const Sample& a : all_samples()) {
    const Scalar n64 = neg64(a.value);
    const Scalar n32 = neg32(a.value);
    const Scalar s16 = byte_swap(a.value, 16);
    const Scalar s32 = byte_swap(a.value, 32);
    const Scalar s64 = byte_swap(a.value, 64);
    for (uint64_t x : a.members) {
      ASSERT_TRUE(n64.contains(0 - x));
      ASSERT_TRUE(n32.contains(static_cast<uint32_t>(0 - static_cast<uint32_t>(x))));
      ASSERT_TRUE(s16.contains(__builtin_bswap16(static_cast<uint16_t>(x))));
      ASSERT_TRUE(s32.contains(__builtin_bswap32(static_cast<uint32_t>(x))));
      ASSERT_TRUE(s64.contains(__builtin_bswap64(x)));
    }
  }
}

TEST(ScalarAlu, KnownResults) {
  // [0, 10] + 5 is exactly [5, 15].
  const Scalar sum = alu64(AluOp::Add, Scalar::unsigned_range(0, 10), Scalar::constant(5));
  EXPECT_EQ(sum.u64, (U64Interval{5, 15}));
  EXPECT_EQ(sum.s64, (S64Interval{5, 15}));
  // Masking an unknown value with 0xff bounds it to a byte.
  const Scalar masked = alu64(AluOp::And, Scalar::unknown(), Scalar::constant(0xff));
  EXPECT_EQ(masked.u64, (U64Interval{0, 255}));
  EXPECT_EQ(masked.bits, Tnum(0, 0xff));
  // A byte shifted left by 2 is a multiple of 4 up to 1020.
  const Scalar shifted = alu64(AluOp::Lsh, masked, Scalar::constant(2));
  EXPECT_EQ(shifted.u64, (U64Interval{0, 1020}));
  EXPECT_TRUE(shifted.bits.is_aligned(4));
  // 32-bit arithmetic wraps and zero-extends: 0xffffffff + 1 == 0.
  EXPECT_TRUE(
      alu32(AluOp::Add, Scalar::constant(0xffffffff), Scalar::constant(1)).bits.equals_const(0));
  // Division by a register that may be zero: x / 0 == 0, otherwise at most x.
  const Scalar quotient =
      alu64(AluOp::Div, Scalar::unsigned_range(10, 100), Scalar::unsigned_range(0, 5));
  EXPECT_EQ(quotient.u64, (U64Interval{0, 100}));
  // x % 0 == x: modulo by a register known to be zero is the identity.
  const Scalar rem = alu64(AluOp::Mod, Scalar::unsigned_range(3, 9), Scalar::constant(0));
  EXPECT_EQ(rem.u64, (U64Interval{3, 9}));
  // [0, 1000] % 16 is below 16.
  const Scalar mod16 = alu64(AluOp::Mod, Scalar::unsigned_range(0, 1000), Scalar::constant(16));
  EXPECT_EQ(mod16.u64, (U64Interval{0, 15}));
  // Subtracting may wrap below zero: [0, 5] - 1 spans the whole unsigned range.
  const Scalar wrapped = alu64(AluOp::Sub, Scalar::unsigned_range(0, 5), Scalar::constant(1));
  EXPECT_EQ(wrapped.s64, (S64Interval{-1, 4}));
  EXPECT_TRUE(wrapped.u64.is_full());
}

}  // namespace
}  // namespace nicsim::verifier
