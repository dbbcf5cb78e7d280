#include <gtest/gtest.h>

#include <cerrno>
#include <set>

#include "ebpf/maps/map_flags.h"
#include "ebpf/maps/test/map_test_support.h"
#include "ebpf/util/error.h"

namespace nicsim::ebpf::test {
namespace {

struct Key6 {
  uint8_t bytes[6];
};

TEST(HashMap, UpdateFlagsFollowTheKernel) {
  MapUnderTest m(make_def(MapType::Hash, 4, 4, 4));
  const uint32_t key = 42, v1 = 1, v2 = 2;
  EXPECT_EQ(m->lookup(&key), nullptr);
  EXPECT_EQ(m->update(&key, &v1, kMapUpdateExist), -ENOENT);
  EXPECT_EQ(m->update(&key, &v1, kMapUpdateNoExist), 0);
  EXPECT_EQ(m->update(&key, &v2, kMapUpdateNoExist), -EEXIST);
  EXPECT_EQ(load<uint32_t>(m->lookup(&key)), 1u);
  EXPECT_EQ(m->update(&key, &v2, kMapUpdateExist), 0);
  EXPECT_EQ(load<uint32_t>(m->lookup(&key)), 2u);
  EXPECT_EQ(m->update(&key, &v2, 3), -EINVAL);
  EXPECT_EQ(m->update(&key, &v2, kMapUpdateLock), -EINVAL);
  EXPECT_EQ(m->remove(&key), 0);
  EXPECT_EQ(m->remove(&key), -ENOENT);
  EXPECT_EQ(m->lookup(&key), nullptr);
  uint32_t out;
  EXPECT_EQ(m->host_lookup(&key, &out), -ENOENT);
}

TEST(HashMap, FullMapRefusesNewKeysButUpdatesExistingOnes) {
  MapUnderTest m(make_def(MapType::Hash, 4, 4, 2));
  const uint32_t a = 1, b = 2, c = 3, v = 9;
  ASSERT_EQ(m->update(&a, &v, kMapUpdateAny), 0);
  ASSERT_EQ(m->update(&b, &v, kMapUpdateAny), 0);
  EXPECT_EQ(m->update(&c, &v, kMapUpdateAny), -E2BIG);
  EXPECT_EQ(m->host_update(&c, &v, kMapUpdateAny), -E2BIG);
  EXPECT_EQ(m->update(&a, &v, kMapUpdateAny), 0);
  ASSERT_EQ(m->remove(&a), 0);
  EXPECT_EQ(m->update(&c, &v, kMapUpdateAny), 0);
}

TEST(HashMap, ValuePointerIsStableAcrossUpdatesAndOtherInsertions) {
  MapUnderTest m(make_def(MapType::Hash, 6, 8, 64));
  Key6 key{{1, 2, 3, 4, 5, 6}};
  const uint64_t v = 5;
  ASSERT_EQ(m->update(&key, &v, kMapUpdateAny), 0);
  void* pointer = m->lookup(&key);
  for (uint8_t i = 0; i < 63; ++i) {
    Key6 other{{i, 0, 0, 0, 0, 9}};
    ASSERT_EQ(m->update(&other, &v, kMapUpdateAny), 0);
  }
  const uint64_t v2 = 77;
  ASSERT_EQ(m->update(&key, &v2, kMapUpdateAny), 0);
  EXPECT_EQ(m->lookup(&key), pointer);
  EXPECT_EQ(load<uint64_t>(pointer), 77u);
}

TEST(HashMap, DeletionInvalidatesTheValueRange) {
  MapUnderTest m(make_def(MapType::Hash, 4, 12, 8));
  const uint32_t key = 5;
  const uint8_t v[12] = {1};
  ASSERT_EQ(m->update(&key, v, kMapUpdateAny), 0);
  const uint64_t value = address_of(m->lookup(&key));
  EXPECT_TRUE(m->owns_value_range(value, 12));
  EXPECT_FALSE(m->owns_value_range(value, 13));
  EXPECT_FALSE(m->owns_value_range(value + 12, 1));
  EXPECT_FALSE(m->owns_value_range(value + 16, 4));  // a free slot
  ASSERT_EQ(m->remove(&key), 0);
  EXPECT_FALSE(m->owns_value_range(value, 1));
}

TEST(HashMap, NewEntryStartsFromTheGivenValueNotAStaleOne) {
  MapUnderTest m(make_def(MapType::PercpuHash, 4, 4, 1), 2);
  const uint32_t key = 1;
  uint8_t host[16] = {};
  host[0] = 11;
  host[8] = 22;
  ASSERT_EQ(m->host_update(&key, host, kMapUpdateAny), 0);
  ASSERT_EQ(m->remove(&key), 0);
  // The slot is reused: a program update of a new key zeroes the other CPU's copy.
  const uint32_t v = 5;
  m.cpu = 0;
  ASSERT_EQ(m->update(&key, &v, kMapUpdateAny), 0);
  m.cpu = 1;
  EXPECT_EQ(load<uint32_t>(m->lookup(&key)), 0u);
}

TEST(HashMap, GetNextKeyVisitsEveryKeyOnce) {
  MapUnderTest m(make_def(MapType::Hash, 4, 4, 16));
  std::set<uint32_t> inserted;
  for (uint32_t k = 100; k < 110; ++k) {
    ASSERT_EQ(m->update(&k, &k, kMapUpdateAny), 0);
    inserted.insert(k);
  }
  const uint32_t gone = 104;
  ASSERT_EQ(m->remove(&gone), 0);
  inserted.erase(gone);
  std::set<uint32_t> seen;
  uint32_t key = 0;
  const void* previous = nullptr;
  while (m->get_next_key(previous, &key) == 0) {
    EXPECT_TRUE(seen.insert(key).second) << "key " << key << " seen twice";
    previous = &key;
    ASSERT_LE(seen.size(), 20u);
  }
  EXPECT_EQ(seen, inserted);
  // A key not in the map restarts from the first key.
  uint32_t first = 0, restart = 0;
  ASSERT_EQ(m->get_next_key(nullptr, &first), 0);
  ASSERT_EQ(m->get_next_key(&gone, &restart), 0);
  EXPECT_EQ(first, restart);
}

TEST(PercpuHashMap, CpusAreSeparated) {
  MapUnderTest m(make_def(MapType::PercpuHash, 4, 4, 4), 2);
  EXPECT_EQ(m->host_value_size(), 16u);
  const uint32_t key = 7;
  const uint32_t v0 = 10, v1 = 20;
  m.cpu = 0;
  ASSERT_EQ(m->update(&key, &v0, kMapUpdateAny), 0);
  m.cpu = 1;
  ASSERT_EQ(m->update(&key, &v1, kMapUpdateAny), 0);
  void* on_cpu1 = m->lookup(&key);
  m.cpu = 0;
  void* on_cpu0 = m->lookup(&key);
  EXPECT_NE(on_cpu0, on_cpu1);
  EXPECT_EQ(load<uint32_t>(on_cpu0), 10u);
  EXPECT_EQ(load<uint32_t>(on_cpu1), 20u);
  EXPECT_TRUE(m->owns_value_range(address_of(on_cpu1), 4));
  uint8_t host[16];
  ASSERT_EQ(m->host_lookup(&key, host), 0);
  EXPECT_EQ(load<uint32_t>(host), 10u);
  EXPECT_EQ(load<uint32_t>(host + 8), 20u);
}

TEST(LruHashMap, EvictsTheLeastRecentlyUsedEntry) {
  MapUnderTest m(make_def(MapType::LruHash, 4, 4, 3));
  for (uint32_t k = 1; k <= 3; ++k)
    ASSERT_EQ(m->update(&k, &k, kMapUpdateAny), 0);
  // Recency now 1 < 2 < 3. Touch 1 (lookup) and 2 (update): 3 becomes the oldest.
  const uint32_t one = 1, two = 2, three = 3, four = 4, five = 5;
  ASSERT_NE(m->lookup(&one), nullptr);
  ASSERT_EQ(m->update(&two, &two, kMapUpdateExist), 0);
  ASSERT_EQ(m->update(&four, &four, kMapUpdateNoExist), 0);
  uint32_t out;
  EXPECT_EQ(m->host_lookup(&three, &out), -ENOENT);
  EXPECT_EQ(m->host_lookup(&one, &out), 0);
  // Host lookups do not refresh: 1 is now the oldest (order 1 < 2 < 4).
  ASSERT_EQ(m->update(&five, &five, kMapUpdateAny), 0);
  EXPECT_EQ(m->host_lookup(&one, &out), -ENOENT);
  EXPECT_EQ(m->host_lookup(&two, &out), 0);
  EXPECT_EQ(m->host_lookup(&four, &out), 0);
  EXPECT_EQ(m->host_lookup(&five, &out), 0);
  EXPECT_EQ(out, 5u);
}

TEST(LruHashMap, EvictedValueRangeIsNoLongerOwned) {
  MapUnderTest m(make_def(MapType::LruPercpuHash, 4, 4, 1), 2);
  const uint32_t a = 1, b = 2;
  ASSERT_EQ(m->update(&a, &a, kMapUpdateAny), 0);
  const uint64_t old_value = address_of(m->lookup(&a));
  ASSERT_EQ(m->update(&b, &b, kMapUpdateAny), 0);
  EXPECT_EQ(m->lookup(&a), nullptr);
  // The only slot was reused for b: the address is owned again, now by b.
  EXPECT_EQ(address_of(m->lookup(&b)), old_value);
}

TEST(HashMap, RefusesWhatTheKernelRefuses) {
  MapContext context;
  EXPECT_THROW(create_map(make_def(MapType::Hash, 0, 4, 1), context), Error);
  EXPECT_THROW(create_map(make_def(MapType::Hash, 4, 0, 1), context), Error);
  EXPECT_THROW(create_map(make_def(MapType::Hash, 4, 4, 0), context), Error);
  EXPECT_THROW(create_map(make_def(MapType::LruHash, 4, 4, 1, kMapFlagNoPrealloc), context), Error);
  EXPECT_THROW(create_map(make_def(MapType::Hash, 4, 4, 1, kMapFlagNoCommonLru), context), Error);
  EXPECT_THROW(create_map(make_def(MapType::Hash, 4, 4, 1, kMapFlagMmapable), context), Error);
  EXPECT_NO_THROW(create_map(make_def(MapType::Hash, 4, 4, 1, kMapFlagNoPrealloc), context));
  EXPECT_NO_THROW(create_map(make_def(MapType::LruHash, 4, 4, 1, kMapFlagNoCommonLru), context));
}

}  // namespace
}  // namespace nicsim::ebpf::test
