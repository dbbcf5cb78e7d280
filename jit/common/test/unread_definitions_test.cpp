#include "jit/common/unread_definitions.h"

#include <gtest/gtest.h>

#include <vector>

#include "ebpf/asm/assembler.h"

namespace nicsim::jit {
namespace {

constexpr RegisterMask kArguments = 0b111110;

// The slots found unread when helper calls read `call_reads`.
std::vector<size_t> unread_slots(const char* source, RegisterMask call_reads = kArguments) {
  const auto insns = ebpf::assemble(source);
  const std::vector<bool> reachable(insns.size(), true);
  const auto unread = unread_definitions(insns, reachable, [&](size_t) { return call_reads; });
  std::vector<size_t> slots;
  for (size_t i = 0; i < unread.size(); ++i)
    if (unread[i]) slots.push_back(i);
  return slots;
}

TEST(UnreadDefinitions, ArgumentsOfACallThatReadsThemAreKept) {
  const char* lookup =
      "*(u32 *)(r10 - 4) = 0\n"  // 0
      "r1 = 0 ll\n"              // 1, 2
      "r2 = r10\n"               // 3
      "r2 += -4\n"               // 4
      "call 1\n"                 // 5
      "exit";                    // 6
  EXPECT_EQ(unread_slots(lookup), std::vector<size_t>{});
  // A call computed inline that reads only r2: the map pointer is unread.
  EXPECT_EQ(unread_slots(lookup, 1U << 2), std::vector<size_t>{1});
  // One that reads nothing: the whole chain r2 = r10; r2 += -4 goes too; the store stays.
  EXPECT_EQ(unread_slots(lookup, 0), (std::vector<size_t>{1, 3, 4}));
}

TEST(UnreadDefinitions, ValuesReadOnAnyPathOrAtExitAreKept) {
  EXPECT_EQ(unread_slots("r3 = 1\n"              // 0: read on the taken path
                         "r4 = 2\n"              // 1: never read
                         "r0 = 0\n"              // 2: overwritten on every path below
                         "if r1 == 0 goto +2\n"  // 3
                         "r0 = 1\n"              // 4
                         "exit\n"                // 5
                         "r0 = r3\n"             // 6
                         "exit"),                // 7
            (std::vector<size_t>{1, 2}));
  // Stores, loads and atomics are never left out, even when their register is unread.
  EXPECT_EQ(unread_slots("r2 = *(u32 *)(r1 + 0)\n"   // 0: a load, kept
                         "*(u64 *)(r10 - 8) = r2\n"  // 1
                         "r0 = 0\n"                  // 2
                         "exit"),
            std::vector<size_t>{});
}

TEST(UnreadDefinitions, AValueFeedingOnlyItselfInALoopIsUnread) {
  EXPECT_EQ(unread_slots("r6 = 0\n"              // 0: only feeds r6 += 1
                         "r7 = 10\n"             // 1
                         "r6 += 1\n"             // 2
                         "r7 += -1\n"            // 3
                         "if r7 != 0 goto -3\n"  // 4
                         "r0 = 0\n"              // 5
                         "exit"),                // 6
            (std::vector<size_t>{0, 2}));
}

}  // namespace
}  // namespace nicsim::jit
