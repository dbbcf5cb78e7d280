#include <gtest/gtest.h>

#include <cerrno>
#include <random>
#include <vector>

#include "ebpf/maps/map_flags.h"
#include "ebpf/maps/test/map_test_support.h"
#include "ebpf/util/error.h"

namespace nicsim::ebpf::test {
namespace {

struct Ipv4Key {
  uint32_t prefix_length;
  uint8_t address[4];
};

Ipv4Key key(uint32_t length, uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return Ipv4Key{length, {a, b, c, d}};
}

MapDefinition ipv4_trie(uint32_t max_entries = 16) {
  return make_def(MapType::LpmTrie, 8, 4, max_entries, kMapFlagNoPrealloc);
}

int put(Map& map, const Ipv4Key& k, uint32_t value) {
  return map.update(&k, &value, kMapUpdateAny);
}

uint32_t value_at(Map& map, const Ipv4Key& k) {
  void* value = map.lookup(&k);
  return value == nullptr ? UINT32_MAX : load<uint32_t>(value);
}

TEST(LpmTrieMap, LongestPrefixWinsIncludingDefaultAndHostRoutes) {
  MapUnderTest m(ipv4_trie());
  ASSERT_EQ(put(*m.map, key(0, 0, 0, 0, 0), 0), 0);
  ASSERT_EQ(put(*m.map, key(8, 10, 0, 0, 0), 8), 0);
  ASSERT_EQ(put(*m.map, key(16, 10, 1, 0, 0), 16), 0);
  ASSERT_EQ(put(*m.map, key(24, 10, 1, 2, 0), 24), 0);
  ASSERT_EQ(put(*m.map, key(32, 10, 1, 2, 3), 32), 0);
  EXPECT_EQ(value_at(*m.map, key(32, 10, 1, 2, 3)), 32u);
  EXPECT_EQ(value_at(*m.map, key(32, 10, 1, 2, 4)), 24u);
  EXPECT_EQ(value_at(*m.map, key(32, 10, 1, 3, 3)), 16u);
  EXPECT_EQ(value_at(*m.map, key(32, 10, 2, 2, 3)), 8u);
  EXPECT_EQ(value_at(*m.map, key(32, 11, 1, 2, 3)), 0u);  // the /0 default route
  // The key's own prefix length bounds the match: a /20 query cannot match the /24.
  EXPECT_EQ(value_at(*m.map, key(20, 10, 1, 2, 3)), 16u);
  EXPECT_EQ(value_at(*m.map, key(0, 10, 1, 2, 3)), 0u);
  uint32_t out = 0;
  const Ipv4Key host_query = key(32, 10, 1, 2, 200);
  ASSERT_EQ(m->host_lookup(&host_query, &out), 0);
  EXPECT_EQ(out, 24u);
}

TEST(LpmTrieMap, BitsAreComparedBigEndianWithinABytePrefix) {
  MapUnderTest m(ipv4_trie());
  const uint32_t v = 1;
  // 192.168.128.0/17: only the top bit of the third byte belongs to the prefix.
  const Ipv4Key route = key(17, 192, 168, 128, 0);
  ASSERT_EQ(m->update(&route, &v, kMapUpdateAny), 0);
  EXPECT_EQ(value_at(*m.map, key(32, 192, 168, 255, 1)), 1u);
  EXPECT_EQ(value_at(*m.map, key(32, 192, 168, 128, 0)), 1u);
  EXPECT_EQ(value_at(*m.map, key(32, 192, 168, 127, 255)), UINT32_MAX);
  EXPECT_EQ(value_at(*m.map, key(32, 192, 168, 1, 0)), UINT32_MAX);
}

TEST(LpmTrieMap, NoMatchWithoutADefaultRoute) {
  MapUnderTest m(ipv4_trie());
  const uint32_t v = 1;
  const Ipv4Key route = key(8, 10, 0, 0, 0);
  ASSERT_EQ(m->update(&route, &v, kMapUpdateAny), 0);
  EXPECT_EQ(value_at(*m.map, key(32, 11, 0, 0, 0)), UINT32_MAX);
  EXPECT_EQ(value_at(*m.map, key(33, 10, 0, 0, 0)), UINT32_MAX);  // prefixlen > 32
}

TEST(LpmTrieMap, UpdateAndDeleteAddressExactPrefixes) {
  MapUnderTest m(ipv4_trie(2));
  const uint32_t v1 = 1, v2 = 2;
  const Ipv4Key net = key(16, 10, 1, 0, 0);
  // Same prefix, different bits past it: the same entry.
  const Ipv4Key same_net = key(16, 10, 1, 99, 99);
  const Ipv4Key narrower = key(24, 10, 1, 0, 0);
  EXPECT_EQ(m->update(&net, &v1, kMapUpdateExist), -ENOENT);
  ASSERT_EQ(m->update(&net, &v1, kMapUpdateNoExist), 0);
  EXPECT_EQ(m->update(&same_net, &v2, kMapUpdateNoExist), -EEXIST);
  ASSERT_EQ(m->update(&same_net, &v2, kMapUpdateExist), 0);
  EXPECT_EQ(value_at(*m.map, key(32, 10, 1, 5, 5)), 2u);
  EXPECT_EQ(m->remove(&narrower), -ENOENT);  // only the /16 exists
  ASSERT_EQ(m->update(&narrower, &v1, kMapUpdateAny), 0);
  const Ipv4Key third = key(8, 10, 0, 0, 0);
  EXPECT_EQ(m->update(&third, &v1, kMapUpdateAny), -ENOSPC);  // full
  const Ipv4Key too_long = key(33, 10, 0, 0, 0);
  EXPECT_EQ(m->update(&too_long, &v1, kMapUpdateAny), -EINVAL);
  EXPECT_EQ(m->remove(&too_long), -EINVAL);
  EXPECT_EQ(m->update(&net, &v1, 4), -EINVAL);
  ASSERT_EQ(m->remove(&net), 0);
  EXPECT_EQ(value_at(*m.map, key(32, 10, 1, 0, 1)), 1u);  // the /24 remains
  EXPECT_EQ(value_at(*m.map, key(32, 10, 1, 1, 1)), UINT32_MAX);
}

TEST(LpmTrieMap, DeletionInvalidatesTheValueRange) {
  MapUnderTest m(ipv4_trie());
  const uint32_t v = 7;
  const Ipv4Key route = key(24, 1, 2, 3, 0);
  ASSERT_EQ(m->update(&route, &v, kMapUpdateAny), 0);
  const uint64_t value = address_of(m->lookup(&route));
  EXPECT_TRUE(m->owns_value_range(value, 4));
  EXPECT_FALSE(m->owns_value_range(value, 5));
  ASSERT_EQ(m->remove(&route), 0);
  EXPECT_FALSE(m->owns_value_range(value, 4));
}

TEST(LpmTrieMap, GetNextKeyIsPostOrderAndKeepsStoredBits) {
  MapUnderTest m(ipv4_trie());
  const uint32_t v = 0;
  // The kernel's documented example order: 192.168.0.0/24, 192.168.1.0/24,
  // 192.168.128.0/24, 192.168.0.0/16.
  for (const Ipv4Key& k : {key(16, 192, 168, 0, 0), key(24, 192, 168, 128, 0),
                           key(24, 192, 168, 1, 0), key(24, 192, 168, 0, 0)})
    ASSERT_EQ(m->update(&k, &v, kMapUpdateAny), 0);
  std::vector<std::pair<uint32_t, uint8_t>> seen;
  Ipv4Key current{};
  const void* previous = nullptr;
  while (m->get_next_key(previous, &current) == 0) {
    seen.emplace_back(current.prefix_length, current.address[2]);
    previous = &current;
    ASSERT_LE(seen.size(), 4u);
  }
  const std::vector<std::pair<uint32_t, uint8_t>> expected = {{24, 0}, {24, 1}, {24, 128}, {16, 0}};
  EXPECT_EQ(seen, expected);
}

TEST(LpmTrieMap, AgreesWithALinearScanOnRandomRoutes) {
  // Independent reference: test every route's prefix bits directly.
  MapUnderTest m(make_def(MapType::LpmTrie, 4 + 4, 4, 200, kMapFlagNoPrealloc));
  std::mt19937 rng(7);
  std::vector<std::pair<uint32_t, uint32_t>> routes;  // (prefix_length, address as u32 BE)
  // Addresses in 10.0.0.0/14 so that random prefixes overlap often.
  auto random_address = [&rng] { return 0x0a000000u | (rng() & 0x0003ffffu); };
  for (uint32_t i = 0; i < 150; ++i) {
    const uint32_t length = rng() % 33;
    const uint32_t mask = length == 0 ? 0 : ~0u << (32 - length);
    const uint32_t address = random_address() & mask;
    Ipv4Key k{
        length,
        {uint8_t(address >> 24), uint8_t(address >> 16), uint8_t(address >> 8), uint8_t(address)}};
    const uint32_t id = static_cast<uint32_t>(routes.size());
    if (m->update(&k, &id, kMapUpdateNoExist) == 0) routes.emplace_back(length, address);
  }
  for (int q = 0; q < 2000; ++q) {
    const uint32_t address = random_address();
    int best = -1;
    for (size_t r = 0; r < routes.size(); ++r) {
      const uint32_t length = routes[r].first;
      const uint32_t mask = length == 0 ? 0 : ~0u << (32 - length);
      if ((address & mask) == routes[r].second && (best < 0 || length > routes[best].first))
        best = static_cast<int>(r);
    }
    const Ipv4Key k{
        32,
        {uint8_t(address >> 24), uint8_t(address >> 16), uint8_t(address >> 8), uint8_t(address)}};
    void* value = m->lookup(&k);
    if (best < 0) {
      EXPECT_EQ(value, nullptr);
    } else {
      ASSERT_NE(value, nullptr);
      EXPECT_EQ(load<uint32_t>(value), static_cast<uint32_t>(best));
    }
  }
}

TEST(LpmTrieMap, RefusesWhatTheKernelRefuses) {
  MapContext context;
  EXPECT_THROW(create_map(make_def(MapType::LpmTrie, 8, 4, 16), context), Error);  // prealloc
  EXPECT_THROW(create_map(make_def(MapType::LpmTrie, 4, 4, 16, kMapFlagNoPrealloc), context),
               Error);
  EXPECT_THROW(create_map(make_def(MapType::LpmTrie, 261, 4, 16, kMapFlagNoPrealloc), context),
               Error);
  EXPECT_THROW(create_map(make_def(MapType::LpmTrie, 8, 0, 16, kMapFlagNoPrealloc), context),
               Error);
  EXPECT_THROW(create_map(make_def(MapType::LpmTrie, 8, 4, 0, kMapFlagNoPrealloc), context), Error);
  EXPECT_NO_THROW(create_map(make_def(MapType::LpmTrie, 260, 4, 16, kMapFlagNoPrealloc), context));
}

}  // namespace
}  // namespace nicsim::ebpf::test
