#include "firmware/routines/routines.h"

#include <gtest/gtest.h>

#include "firmware/isa/bundle.h"

namespace nicsim::firmware {
namespace {

TEST(FirmwareRoutines, KnownHelpers) {
  ASSERT_NE(find_routine(5), nullptr);
  EXPECT_EQ(find_routine(5)->name, "ktime_get_ns");
  ASSERT_NE(find_routine(7), nullptr);
  ASSERT_NE(find_routine(8), nullptr);
  EXPECT_EQ(find_routine(1), nullptr);  // a hardware unit, not a routine
  EXPECT_EQ(find_routine(6), nullptr);  // refused
}

// Every routine assembles for every core shape, ends with ret and obeys the bundle rules.
TEST(FirmwareRoutines, AssembleForEveryShape) {
  for (const Routine& routine : firmware_routines()) {
    for (int lanes = 1; lanes <= kMaxLanes; ++lanes) {
      for (int ports = 1; ports <= lanes; ++ports) {
        std::vector<uint64_t> pool;
        const auto bundles = assemble_routine(routine, lanes, ports, 10, pool);
        ASSERT_FALSE(bundles.empty());
        for (const auto& b : bundles) {
          ASSERT_EQ(b.size(), size_t(lanes));
          EXPECT_EQ(check_bundle(b, ports), "") << routine.name;
        }
        bool returns = false;
        for (const Slot& s : bundles.back())
          returns |= s.op == OpClass::Ret;
        EXPECT_TRUE(returns) << routine.name << " lanes " << lanes;
      }
    }
  }
}

TEST(FirmwareRoutines, PrandomSplitsAtOneLaneAndUsesThePool) {
  std::vector<uint64_t> pool = {42};
  const auto wide = assemble_routine(*find_routine(7), 4, 2, 0, pool);
  EXPECT_EQ(wide.size(), 10u);
  ASSERT_EQ(pool.size(), 2u);
  EXPECT_EQ(pool[1], 0x2545f4914f6cdd1dull);
  const auto narrow = assemble_routine(*find_routine(7), 1, 1, 0, pool);
  EXPECT_EQ(narrow.size(), 12u);
  EXPECT_EQ(pool.size(), 2u);  // the constant is reused
  // the split keeps the store (reads the new state) before the multiplication overwrites r0
  EXPECT_EQ(narrow[8][0].op, OpClass::Store);
  EXPECT_EQ(narrow[9][0].func, AluFunc::Mul);
}

}  // namespace
}  // namespace nicsim::firmware
