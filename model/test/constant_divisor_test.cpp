// ConstantDivisor against the host's division: divisors of map strides and awkward ones, and
// numerators at the edges of every quotient step and of the 32-bit range.

#include "model/memory/constant_divisor.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace nicsim::model {
namespace {

TEST(ConstantDivisor, AgreesWithDivisionAtTheEdges) {
  const std::vector<uint32_t> divisors = {1,     2,          3,           7,           8,
                                          24,    40,         1000,        4096,        65535,
                                          65536, 0x7fffffff, 0x80000000u, 0xfffffffeu, 0xffffffffu};
  for (const uint32_t d : divisors) {
    const ConstantDivisor divisor(d);
    std::vector<uint32_t> numerators = {0,          1,           d - 1,       d,          d + 1,
                                        0x7fffffff, 0x80000000u, 0xfffffffeu, 0xffffffffu};
    for (uint32_t k : {2u, 3u, 1000u, 123457u})
      for (int delta : {-1, 0, 1}) {
        const int64_t n = int64_t{d} * k + delta;
        if (n <= 0xffffffff) numerators.push_back(static_cast<uint32_t>(n));
      }
    for (const uint32_t n : numerators) {
      EXPECT_EQ(divisor.quotient(n), n / d) << n << " / " << d;
      EXPECT_EQ(divisor.remainder(n), n % d) << n << " % " << d;
    }
  }
}

TEST(ConstantDivisor, AgreesWithDivisionOnAPseudoRandomSweep) {
  uint64_t state = 0x9e3779b97f4a7c15u;
  const auto next = [&state] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return static_cast<uint32_t>(state >> 16);
  };
  for (int i = 0; i < 200; ++i) {
    // Small divisors (map strides are value sizes rounded up to 8) and any 32-bit one.
    const uint32_t d = i % 2 ? (next() % 4096) + 1 : next() | 1;
    const ConstantDivisor divisor(d);
    for (int j = 0; j < 200; ++j) {
      const uint32_t n = next();
      ASSERT_EQ(divisor.quotient(n), n / d) << n << " / " << d;
      ASSERT_EQ(divisor.remainder(n), n % d) << n << " % " << d;
    }
  }
}

}  // namespace
}  // namespace nicsim::model
