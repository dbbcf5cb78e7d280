#include "verifier/domain/tnum.h"

#include <gtest/gtest.h>

#include <functional>
#include <vector>

namespace nicsim::verifier {
namespace {

// Every tnum whose known/unknown bits are limited to the given positions (3^n of them),
// with its members. Positions mix low bits with the sign bits of both widths so that
// carries and sign effects are exercised.
struct SmallTnum {
  Tnum t;
  std::vector<uint64_t> members;
};

std::vector<SmallTnum> small_tnums(const std::vector<unsigned>& positions) {
  std::vector<SmallTnum> out;
  size_t count = 1;
  for (size_t i = 0; i < positions.size(); ++i)
    count *= 3;
  for (size_t code = 0; code < count; ++code) {
    uint64_t value = 0;
    uint64_t mask = 0;
    size_t c = code;
    for (unsigned pos : positions) {
      const size_t trit = c % 3;
      c /= 3;
      if (trit == 1) value |= uint64_t{1} << pos;
      if (trit == 2) mask |= uint64_t{1} << pos;
    }
    SmallTnum s{Tnum(value, mask), {}};
    // Enumerate subsets of the mask.
    uint64_t sub = 0;
    do {
      s.members.push_back(value | sub);
      sub = (sub - mask) & mask;
    } while (sub != 0);
    out.push_back(s);
  }
  return out;
}

const std::vector<std::vector<unsigned>>& position_sets() {
  static const std::vector<std::vector<unsigned>> sets = {
      {0, 1, 2, 3},
      {0, 1, 31, 63},
      {1, 2, 32, 62},
  };
  return sets;
}

using BinaryTnum = std::function<Tnum(Tnum, Tnum)>;
using BinaryConcrete = std::function<uint64_t(uint64_t, uint64_t)>;

void check_binary_soundness(const BinaryTnum& abstract, const BinaryConcrete& concrete,
                            const char* name) {
  for (const auto& positions : position_sets()) {
    const auto tnums = small_tnums(positions);
    for (const auto& a : tnums) {
      for (const auto& b : tnums) {
        const Tnum r = abstract(a.t, b.t);
        for (uint64_t x : a.members) {
          for (uint64_t y : b.members) {
            ASSERT_TRUE(r.contains(concrete(x, y)))
                << name << ": " << a.t.to_string() << " op " << b.t.to_string() << " = "
                << r.to_string() << " misses " << x << " op " << y;
          }
        }
      }
    }
  }
}

TEST(Tnum, AddIsSound) {
  check_binary_soundness([](Tnum a, Tnum b) { return a + b; },
                         [](uint64_t x, uint64_t y) { return x + y; }, "add");
}

TEST(Tnum, SubIsSound) {
  check_binary_soundness([](Tnum a, Tnum b) { return a - b; },
                         [](uint64_t x, uint64_t y) { return x - y; }, "sub");
}

TEST(Tnum, MulIsSound) {
  check_binary_soundness([](Tnum a, Tnum b) { return a * b; },
                         [](uint64_t x, uint64_t y) { return x * y; }, "mul");
}

TEST(Tnum, BitwiseOpsAreSound) {
  check_binary_soundness([](Tnum a, Tnum b) { return a & b; },
                         [](uint64_t x, uint64_t y) { return x & y; }, "and");
  check_binary_soundness([](Tnum a, Tnum b) { return a | b; },
                         [](uint64_t x, uint64_t y) { return x | y; }, "or");
  check_binary_soundness([](Tnum a, Tnum b) { return a ^ b; },
                         [](uint64_t x, uint64_t y) { return x ^ y; }, "xor");
}

TEST(Tnum, JoinContainsBothAndIntersectKeepsCommonMembers) {
  for (const auto& positions : position_sets()) {
    const auto tnums = small_tnums(positions);
    for (const auto& a : tnums) {
      for (const auto& b : tnums) {
        const Tnum j = a.t.join(b.t);
        for (uint64_t x : a.members)
          ASSERT_TRUE(j.contains(x));
        for (uint64_t y : b.members)
          ASSERT_TRUE(j.contains(y));
        if (!a.t.overlaps(b.t)) {
          // No common member may exist.
          for (uint64_t x : a.members)
            ASSERT_FALSE(b.t.contains(x));
          continue;
        }
        const Tnum i = a.t.intersect(b.t);
        for (uint64_t x : a.members) {
          if (b.t.contains(x)) {
            ASSERT_TRUE(i.contains(x));
          }
        }
        // The intersection holds nothing outside both.
        ASSERT_TRUE(a.t.includes(i));
        ASSERT_TRUE(b.t.includes(i));
      }
    }
  }
}

TEST(Tnum, IncludesMatchesMembership) {
  for (const auto& positions : position_sets()) {
    const auto tnums = small_tnums(positions);
    for (const auto& a : tnums) {
      for (const auto& b : tnums) {
        bool all_in = true;
        for (uint64_t y : b.members)
          all_in = all_in && a.t.contains(y);
        ASSERT_EQ(a.t.includes(b.t), all_in) << a.t.to_string() << " vs " << b.t.to_string();
      }
    }
  }
}

TEST(Tnum, ShiftsAreSound) {
  for (const auto& positions : position_sets()) {
    for (const auto& a : small_tnums(positions)) {
      for (unsigned k = 0; k < 64; ++k) {
        const Tnum l = a.t.shl(k);
        const Tnum r = a.t.lshr(k);
        const Tnum ar = a.t.ashr(k, 64);
        for (uint64_t x : a.members) {
          ASSERT_TRUE(l.contains(x << k));
          ASSERT_TRUE(r.contains(x >> k));
          ASSERT_TRUE(ar.contains(static_cast<uint64_t>(static_cast<int64_t>(x) >> k)));
        }
        if (k < 32) {
          const Tnum ar32 = a.t.low32().ashr(k, 32);
          for (uint64_t x : a.members) {
            const auto expected = static_cast<uint32_t>(static_cast<int32_t>(x) >> k);
            ASSERT_TRUE(ar32.contains(expected));
          }
        }
      }
    }
  }
}

TEST(Tnum, CastsAreSound) {
  for (const auto& positions : position_sets()) {
    for (const auto& a : small_tnums(positions)) {
      for (unsigned bytes : {1U, 2U, 4U}) {
        const Tnum z = a.t.truncate(bytes);
        const Tnum s = a.t.sign_extend(bytes);
        const unsigned shift = 64 - 8 * bytes;
        for (uint64_t x : a.members) {
          ASSERT_TRUE(z.contains((x << shift) >> shift));
          ASSERT_TRUE(s.contains(static_cast<uint64_t>(static_cast<int64_t>(x << shift) >> shift)));
        }
      }
    }
  }
}

TEST(Tnum, RangeCoversItsInterval) {
  const uint64_t points[] = {0,
                             1,
                             2,
                             5,
                             8,
                             255,
                             256,
                             0x7fffffff,
                             0x80000000,
                             0xffffffff,
                             0x7fffffffffffffff,
                             0x8000000000000000,
                             ~uint64_t{0}};
  for (uint64_t lo : points) {
    for (uint64_t hi : points) {
      if (hi < lo) continue;
      const Tnum t = Tnum::range(lo, hi);
      ASSERT_TRUE(t.contains(lo));
      ASSERT_TRUE(t.contains(hi));
      if (hi - lo < 4096) {
        for (uint64_t v = lo; v != hi; ++v)
          ASSERT_TRUE(t.contains(v));
      }
    }
  }
}

TEST(Tnum, KnownResults) {
  // Constants fold exactly.
  EXPECT_EQ(Tnum::constant(3) + Tnum::constant(4), Tnum::constant(7));
  EXPECT_EQ(Tnum::constant(6) * Tnum::constant(7), Tnum::constant(42));
  // Masking with 0xff leaves the low byte unknown and clears the rest.
  EXPECT_EQ(Tnum::unknown() & Tnum::constant(0xff), Tnum(0, 0xff));
  // A value in [0, 255] is an unknown low byte; [16, 31] has bit 4 set and bits 0-3 free.
  EXPECT_EQ(Tnum::range(0, 255), Tnum(0, 0xff));
  EXPECT_EQ(Tnum::range(16, 31), Tnum(16, 15));
  // Adding 1 to a value with an unknown bit 0 may carry into bit 1.
  EXPECT_EQ(Tnum(0, 1) + Tnum::constant(1), Tnum(0, 3));
  // Multiples of 4 stay multiples of 4 under left shift and addition of multiples of 4.
  EXPECT_TRUE((Tnum(0, 0xf0).shl(2) + Tnum::constant(8)).is_aligned(4));
  EXPECT_EQ(Tnum(0x10, 0x3).to_string(), "(0x10; 0x3)");
  EXPECT_EQ(Tnum::constant(0x12).to_string(), "18");
  EXPECT_EQ(Tnum::constant(0x12345).to_string(), "0x12345");
}

}  // namespace
}  // namespace nicsim::verifier
