// Map::direct_lookup, the lookups JIT-compiled programs call without virtual dispatch: for
// hash maps (every kind) and LPM tries of several key sizes, the function finds what an
// independent reference expects and what lookup() finds, and has lookup()'s side effects
// (LRU recency, the current CPU's copy).

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "ebpf/maps/map_flags.h"
#include "ebpf/maps/test/map_test_support.h"

namespace nicsim::ebpf::test {
namespace {

// Keys as strings of bytes (std::map orders them).
std::string random_bytes(std::mt19937& rng, uint32_t size) {
  std::string bytes(size, '\0');
  for (auto& b : bytes)
    b = static_cast<char>(rng() & 0x3);  // few values: keys differ in few bits
  return bytes;
}

void* direct(Map& map, const void* key) {
  const Map::DirectLookup function = map.direct_lookup();
  EXPECT_NE(function, nullptr);
  return function == nullptr ? nullptr : function(&map, key);
}

// Sizes with a fixed-size function (4, 8, 12, 16, 24, 40) and without one (6, 13).
class HashMapDirectLookup : public ::testing::TestWithParam<uint32_t> {};

TEST_P(HashMapDirectLookup, FindsWhatWasStoredAndNothingElse) {
  const uint32_t key_size = GetParam();
  MapUnderTest m(make_def(MapType::Hash, key_size, 4, 64));
  std::mt19937 rng(key_size);
  std::map<std::string, uint32_t> stored;
  while (stored.size() < 40) {
    const auto key = random_bytes(rng, key_size);
    const uint32_t value = static_cast<uint32_t>(stored.size()) + 1000;
    if (stored.emplace(key, value).second) {
      ASSERT_EQ(m->update(key.data(), &value, kMapUpdateNoExist), 0);
    }
  }
  // Removals in the middle of probe runs must not hide the keys after them.
  for (auto it = stored.begin(); it != stored.end();) {
    if (rng() % 4 == 0) {
      ASSERT_EQ(m->remove(it->first.data()), 0);
      it = stored.erase(it);
    } else {
      ++it;
    }
  }
  for (int q = 0; q < 400; ++q) {
    const auto key = q % 2 == 0 ? std::next(stored.begin(), q / 2 % stored.size())->first
                                : random_bytes(rng, key_size);
    void* found = direct(*m.map, key.data());
    EXPECT_EQ(found, m->lookup(key.data()));
    const auto it = stored.find(key);
    if (it == stored.end()) {
      EXPECT_EQ(found, nullptr);
    } else {
      ASSERT_NE(found, nullptr);
      EXPECT_EQ(load<uint32_t>(found), it->second);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(KeySizes, HashMapDirectLookup,
                         ::testing::Values(4u, 6u, 8u, 12u, 13u, 16u, 24u, 40u));

TEST(HashMapDirectLookupKinds, PerCpuMapsGiveTheCurrentCpusCopy) {
  MapUnderTest m(make_def(MapType::PercpuHash, 8, 8, 4), 4);
  const uint64_t key = 0x1122334455667788;
  const std::vector<uint64_t> values = {10, 11, 12, 13};  // one per CPU (host layout)
  ASSERT_EQ(m->host_update(&key, values.data(), kMapUpdateAny), 0);
  for (uint32_t cpu : {2u, 0u, 3u}) {
    m.cpu = cpu;
    void* found = direct(*m.map, &key);
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(load<uint64_t>(found), values[cpu]);
  }
}

TEST(HashMapDirectLookupKinds, LruLookupsRefreshTheEntry) {
  MapUnderTest m(make_def(MapType::LruHash, 4, 4, 3));
  for (uint32_t k = 1; k <= 3; ++k)
    ASSERT_EQ(m->update(&k, &k, kMapUpdateAny), 0);
  // Recency 1 < 2 < 3; a direct lookup of 1 makes 2 the oldest, which a fourth key evicts.
  const uint32_t one = 1, two = 2, four = 4;
  ASSERT_NE(direct(*m.map, &one), nullptr);
  ASSERT_EQ(m->update(&four, &four, kMapUpdateAny), 0);
  uint32_t out;
  EXPECT_EQ(m->host_lookup(&two, &out), -ENOENT);
  EXPECT_EQ(m->host_lookup(&one, &out), 0);
}

// LPM tries: 4 data bytes (the one-word path), 16 (IPv6) and 3 (no fixed-size function).
class LpmDirectLookup : public ::testing::TestWithParam<uint32_t> {};

// Bit `i` of the data, most significant bit of byte 0 first (the kernel's order).
int bit_of(const std::vector<uint8_t>& data, uint32_t i) {
  return (data[i / 8] >> (7 - i % 8)) & 1;
}

TEST_P(LpmDirectLookup, AgreesWithALinearScan) {
  const uint32_t data_size = GetParam();
  const uint32_t max_length = data_size * 8;
  MapUnderTest m(make_def(MapType::LpmTrie, 4 + data_size, 4, 300, kMapFlagNoPrealloc));
  std::mt19937 rng(data_size);
  // Data with its first bytes from a small set, so that routes nest and overlap.
  auto random_data = [&] {
    std::vector<uint8_t> data(data_size);
    for (uint32_t i = 0; i < data_size; ++i)
      data[i] = static_cast<uint8_t>(i < 2 ? (rng() % 3) * 0x40 : rng());
    return data;
  };
  auto make_key = [&](uint32_t length, const std::vector<uint8_t>& data) {
    std::vector<uint8_t> key(4 + data_size);
    std::memcpy(key.data(), &length, 4);
    std::memcpy(key.data() + 4, data.data(), data_size);
    return key;
  };
  struct Route {
    uint32_t length;
    std::vector<uint8_t> data;
  };
  std::vector<Route> routes;
  for (uint32_t i = 0; i < 200; ++i) {
    // Short prefixes more often, among them the default route.
    const uint32_t length =
        rng() % 2 == 0 ? rng() % (max_length + 1) : rng() % 20 % (max_length + 1);
    const auto data = random_data();
    const auto key = make_key(length, data);
    const uint32_t id = static_cast<uint32_t>(routes.size());
    if (m->update(key.data(), &id, kMapUpdateNoExist) == 0) routes.push_back({length, data});
  }
  for (int q = 0; q < 1500; ++q) {
    // Query lengths up to one past the longest allowed (which matches nothing).
    const uint32_t length = q % 3 == 0 ? max_length : rng() % (max_length + 2);
    const auto data = random_data();
    int best = -1;
    if (length <= max_length) {
      for (size_t r = 0; r < routes.size(); ++r) {
        const Route& route = routes[r];
        if (route.length > length) continue;
        bool match = true;
        for (uint32_t i = 0; i < route.length && match; ++i)
          match = bit_of(route.data, i) == bit_of(data, i);
        if (match && (best < 0 || route.length > routes[best].length)) best = static_cast<int>(r);
      }
    }
    const auto key = make_key(length, data);
    void* found = direct(*m.map, key.data());
    EXPECT_EQ(found, m->lookup(key.data())) << "query " << q;
    if (best < 0) {
      EXPECT_EQ(found, nullptr) << "query " << q;
    } else {
      ASSERT_NE(found, nullptr) << "query " << q;
      EXPECT_EQ(load<uint32_t>(found), static_cast<uint32_t>(best)) << "query " << q;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(DataSizes, LpmDirectLookup, ::testing::Values(4u, 16u, 3u));

}  // namespace
}  // namespace nicsim::ebpf::test
