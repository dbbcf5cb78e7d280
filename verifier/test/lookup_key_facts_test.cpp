// The key a bpf_map_lookup_elem call reads (the u32 at r2), as the facts bound it on every
// path: the value a store through the frame pointer left there, as the value ranges follow it
// (never the bytes the recorded states show). The expected ranges follow from the programs'
// arithmetic.

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "verifier/test/verify_util.h"

namespace nicsim::verifier {
namespace {

using testing::array_map;
using testing::join;
using testing::verdict;
using testing::verify_source;

constexpr const char* kLookup = "r2 = r10\nr2 += -4\nr1 = map_fd 0\ncall 1\n";
constexpr const char* kEnd = "r0 = 0\nexit";

std::optional<U32Range> key_at(const VerificationResult& r, size_t insn) {
  return r.facts.at(insn).lookup_key;
}

VerificationResult verify_with_map(const std::string& source) {
  return verify_source(source, ebpf::ProgramType::Xdp, {array_map("m", 8, 100)});
}

TEST(LookupKeyFacts, ZeroBytesAndStoredConstants) {
  const auto zero = verify_with_map(join("*(u32 *)(r10 - 4) = 0\n", kLookup, kEnd));
  ASSERT_EQ(verdict(zero), "");
  EXPECT_EQ(key_at(zero, 5), (U32Range{0, 0}));
  EXPECT_FALSE(key_at(zero, 1).has_value());  // not a call

  const auto seven = verify_with_map(join("*(u32 *)(r10 - 4) = 7\n", kLookup, kEnd));
  ASSERT_EQ(verdict(seven), "");
  EXPECT_EQ(key_at(seven, 5), (U32Range{7, 7}));

  // Written in another block.
  const auto earlier =
      verify_with_map(join("*(u32 *)(r10 - 4) = 0\n"   // 0
                           "r6 = *(u32 *)(r1 + 16)\n"  // 1
                           "if r6 > 3 goto +0\n",      // 2
                           kLookup, kEnd));            // 3..7
  ASSERT_EQ(verdict(earlier), "");
  EXPECT_EQ(key_at(earlier, 7), (U32Range{0, 0}));

  // A negative immediate in a 64-bit store: its low half.
  const auto negative = verify_with_map(
      join("*(u64 *)(r10 - 8) = -2\n", "r2 = r10\nr2 += -8\nr1 = map_fd 0\ncall 1\n", kEnd));
  ASSERT_EQ(verdict(negative), "");
  EXPECT_EQ(key_at(negative, 5), (U32Range{0xfffffffeU, 0xfffffffeU}));
}

TEST(LookupKeyFacts, RangeOfAStoredRegister) {
  // min(rx_queue_index, 64), as xdp_rxq_info computes it.
  const auto r =
      verify_with_map(join("r1 = *(u32 *)(r1 + 16)\n"   // 0
                           "r2 = 64\n"                  // 1
                           "if r2 > r1 goto +1\n"       // 2
                           "r1 = 64\n"                  // 3
                           "*(u32 *)(r10 - 4) = r1\n",  // 4
                           kLookup, kEnd));             // 5..9
  ASSERT_EQ(verdict(r), "");
  EXPECT_EQ(key_at(r, 9), (U32Range{0, 64}));

  // A byte from the context (0..255) through a 64-bit store: its low half is the value.
  const auto wide =
      verify_with_map(join("r3 = *(u32 *)(r1 + 16)\n"                      // 0
                           "r3 &= 255\n"                                   // 1
                           "*(u64 *)(r10 - 8) = r3\n"                      // 2
                           "r2 = r10\nr2 += -8\nr1 = map_fd 0\ncall 1\n",  // 3..7
                           kEnd));
  ASSERT_EQ(verdict(wide), "");
  EXPECT_EQ(key_at(wide, 7), (U32Range{0, 255}));
}

TEST(LookupKeyFacts, UnionOverPathsEvenWhereThePathsArePruned) {
  // Nothing needs r3's value, so the join's second arrival is pruned: the states recorded at
  // the store show one of the two keys, the fact must hold both.
  const auto r =
      verify_with_map(join("r6 = *(u32 *)(r1 + 16)\n"   // 0
                           "r3 = 2\n"                   // 1
                           "if r6 == 0 goto +1\n"       // 2
                           "r3 = 5\n"                   // 3
                           "*(u32 *)(r10 - 4) = r3\n",  // 4
                           kLookup, kEnd));             // 5..9
  ASSERT_EQ(verdict(r), "");
  EXPECT_GE(r.stats.states_pruned, 1U);
  EXPECT_EQ(key_at(r, 9), (U32Range{2, 5}));

  // 0 on one path, 9 stored over it on the other.
  const auto mixed =
      verify_with_map(join("r6 = *(u32 *)(r1 + 16)\n"  // 0
                           "*(u32 *)(r10 - 4) = 0\n"   // 1
                           "if r6 == 0 goto +1\n"      // 2
                           "*(u32 *)(r10 - 4) = 9\n",  // 3
                           kLookup, kEnd));            // 4..8
  ASSERT_EQ(verdict(mixed), "");
  EXPECT_EQ(key_at(mixed, 8), (U32Range{0, 9}));
}

TEST(LookupKeyFacts, UnknownWhereAPathHidesTheKey) {
  // r2 at different stack offsets on the two paths.
  const auto moved =
      verify_with_map(join("r6 = *(u32 *)(r1 + 16)\n"  // 0
                           "*(u64 *)(r10 - 8) = 0\n"   // 1
                           "r2 = r10\n"                // 2
                           "r2 += -4\n"                // 3
                           "if r6 == 0 goto +1\n"      // 4
                           "r2 += -4\n"                // 5
                           "r1 = map_fd 0\ncall 1\n",  // 6..8
                           kEnd));
  ASSERT_EQ(verdict(moved), "");
  EXPECT_FALSE(key_at(moved, 8).has_value());

  // A store through another pointer to the key between the store and the call.
  const auto aliased =
      verify_with_map(join("r3 = r10\n"               // 0
                           "r3 += -4\n"               // 1
                           "*(u32 *)(r10 - 4) = 1\n"  // 2
                           "*(u32 *)(r3 + 0) = 9\n",  // 3
                           kLookup, kEnd));           // 4..8
  ASSERT_EQ(verdict(aliased), "");
  EXPECT_FALSE(key_at(aliased, 8).has_value());

  // A jump lands between the store and the call: 0, or any nonzero u32.
  const auto entered =
      verify_with_map(join("r6 = *(u32 *)(r1 + 16)\n"                    // 0
                           "*(u32 *)(r10 - 4) = 0\n"                     // 1
                           "if r6 == 0 goto +1\n"                        // 2
                           "*(u32 *)(r10 - 4) = r6\n",                   // 3
                           "r2 = r10\n",                                 // 4
                           "r2 += -4\nr1 = map_fd 0\ncall 1\n", kEnd));  // 5..8
  ASSERT_EQ(verdict(entered), "");
  EXPECT_EQ(key_at(entered, 8), (U32Range{0, 0xffffffffU}));

  // A 64-bit value whose high half may be set: its low half is not taken.
  const auto high =
      verify_with_map(join("r3 = *(u32 *)(r1 + 16)\n"                      // 0
                           "r3 <<= 16\n"                                   // 1
                           "*(u64 *)(r10 - 8) = r3\n"                      // 2
                           "r2 = r10\nr2 += -8\nr1 = map_fd 0\ncall 1\n",  // 3..7
                           kEnd));
  ASSERT_EQ(verdict(high), "");
  const auto low = key_at(high, 7);  // (x << 16) mod 2^32 for any u32 x
  if (low) {
    EXPECT_EQ(low->min, 0U);
    EXPECT_GE(low->max, 0xffff0000U);
  }
}

// The shape of xdp_rxq_info: the key stored before a first lookup is read again by a second
// one in a later block; what happens in between writes no stack.
TEST(LookupKeyFacts, KeyStoredBeforeAnEarlierLookup) {
  const auto r =
      verify_with_map(join("r6 = r1\n"                  // 0
                           "*(u32 *)(r10 - 4) = 0\n",   // 1
                           kLookup,                     // 2..6
                           "if r0 == 0 goto +9\n"       // 7
                           "r1 = *(u64 *)(r0 + 0)\n"    // 8
                           "r1 += 1\n"                  // 9
                           "*(u64 *)(r0 + 0) = r1\n"    // 10: through a map value
                           "r7 = *(u32 *)(r6 + 12)\n",  // 11
                           kLookup,                     // 12..16
                           kEnd));                      // 17, 18
  ASSERT_EQ(verdict(r), "");
  EXPECT_EQ(key_at(r, 6), (U32Range{0, 0}));
  EXPECT_EQ(key_at(r, 16), (U32Range{0, 0}));
}

// What may write the key between its store and the call makes it unknown.
TEST(LookupKeyFacts, WritesThatMayReachTheKeyForgetIt) {
  const std::string store = "*(u32 *)(r10 - 4) = 3\n";  // 0
  const auto lookup_after = [&](const std::string& between) {
    return verify_with_map(join(store, between, kLookup, kEnd));
  };
  // Another helper (it could write through a pointer it was given).
  const auto helper = lookup_after("call 5\n");  // 1
  ASSERT_EQ(verdict(helper), "");
  EXPECT_FALSE(key_at(helper, 6).has_value());

  // A byte stored over the key.
  const auto narrow = lookup_after("*(u8 *)(r10 - 3) = 1\n");  // 1
  ASSERT_EQ(verdict(narrow), "");
  EXPECT_FALSE(key_at(narrow, 6).has_value());

  // An atomic add to it.
  const auto atomic = lookup_after("r3 = 1\nlock *(u32 *)(r10 - 4) += r3\n");  // 1, 2
  ASSERT_EQ(verdict(atomic), "");
  EXPECT_FALSE(key_at(atomic, 7).has_value());

  // A store through a copy of the frame pointer, in another block than the call.
  const auto copy = lookup_after(
      "r3 = r10\nr3 += -4\n*(u32 *)(r3 + 0) = 9\nr6 = *(u32 *)(r1 + 16)\nif r6 > 3 goto +0\n");
  ASSERT_EQ(verdict(copy), "");
  EXPECT_FALSE(key_at(copy, 10).has_value());

  // Neighbouring bytes written: the key stays.
  const auto neighbour = lookup_after("*(u32 *)(r10 - 8) = 1\n*(u16 *)(r10 - 10) = 1\n");
  ASSERT_EQ(verdict(neighbour), "");
  EXPECT_EQ(key_at(neighbour, 7), (U32Range{3, 3}));
}

TEST(LookupKeyFacts, ASubprogramGivenTheKeysAddressForgetsIt) {
  const auto r =
      verify_with_map(join("*(u32 *)(r10 - 4) = 0\n"  // 0
                           "r1 = r10\n"               // 1
                           "r1 += -4\n"               // 2
                           "call f\n",                // 3
                           kLookup,                   // 4..8
                           kEnd,                      // 9, 10
                           "\nf:\n"
                           "*(u32 *)(r1 + 0) = 7\n"  // 11
                           "r0 = 0\nexit"));
  ASSERT_EQ(verdict(r), "");
  EXPECT_FALSE(key_at(r, 8).has_value());
}

TEST(LookupKeyFacts, KeyFromALoopHoldsItsLastValue) {
  // The loop leaves r6 = 10; the analysis widens inside the loop, the exit's comparison
  // bounds it again. Whatever range it finds must hold 10.
  const auto r =
      verify_with_map(join("r6 = 0\n"                   // 0
                           "r6 += 1\n"                  // 1
                           "if r6 < 10 goto -2\n"       // 2
                           "*(u32 *)(r10 - 4) = r6\n",  // 3
                           kLookup, kEnd));             // 4..8
  ASSERT_EQ(verdict(r), "");
  const auto key = key_at(r, 8);
  ASSERT_TRUE(key.has_value());
  EXPECT_LE(key->min, 10U);
  EXPECT_GE(key->max, 10U);
}

TEST(LookupKeyFacts, KeyInTheCallersFrame) {
  const auto r =
      verify_with_map(join("*(u32 *)(r10 - 4) = 0\n"  // 0
                           "r1 = r10\n"               // 1
                           "r1 += -4\n"               // 2
                           "call f\n",                // 3
                           kEnd,                      // 4, 5
                           "\nf:\n"
                           "r2 = r1\n"        // 6
                           "r1 = map_fd 0\n"  // 7
                           "call 1\n",        // 9
                           kEnd));
  ASSERT_EQ(verdict(r), "");
  EXPECT_FALSE(key_at(r, 9).has_value());  // stored in another frame's block
}

// Padding that lets the verifier store a checkpoint at the next prune point (it stores one
// only after enough jumps and instructions since the last).
std::string checkpoint_padding(const char* reg) {
  return fmt::format(
      "{0} = 1\nif r6 > 100 goto +0\n{0} = 2\nif r6 > 101 goto +0\n{0} = 3\n{0} = 4\n"
      "if r6 > 102 goto +0\n{0} = 5\n{0} = 6\n{0} = 7\n",
      reg);
}

TEST(LookupKeyFacts, AStoreBeforeAPrunedJoinIsNotTakenFromTheRecordedBytes) {
  // r3 is 0 on one path and 5 on the other; nothing needs its value before the store, so
  // the second path to reach the checkpoint in front of the store is pruned there. Whichever
  // path goes on, the fact must hold both keys (or be unknown): the bytes the recorded
  // states show at the call are only the first path's.
  for (const auto& [first, second] : {std::pair{0, 5}, std::pair{5, 0}}) {
    const std::string source =
        join("r6 = *(u32 *)(r1 + 16)\n", checkpoint_padding("r7"),
             fmt::format("r3 = {}\nif r6 == 0 goto +1\nr3 = {}\n", first, second),
             checkpoint_padding("r8"), "if r6 > 3 goto +0\n", "*(u32 *)(r10 - 4) = r3\n",
             "if r6 > 4 goto +0\n", kLookup, kEnd);
    const auto r = verify_with_map(source);
    ASSERT_EQ(verdict(r), "");
    ASSERT_GT(r.stats.states_pruned, 0U);
    const size_t call = 1 + 10 + 3 + 10 + 1 + 1 + 1 + 4;
    ASSERT_TRUE(r.facts.at(call).helper_map.has_value());  // the index is the call's
    const auto key = key_at(r, call);
    if (key) {
      EXPECT_EQ(key->min, 0U) << first;
      EXPECT_GE(key->max, 5U) << first;
    }
  }
}

}  // namespace
}  // namespace nicsim::verifier
