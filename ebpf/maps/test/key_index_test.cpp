// KeyIndex against std::map on random insertions and removals, with keys that collide in
// the table (1-byte keys fill it densely) and keys longer than one hashed word; find(),
// find_sized<N>() and find_words<N>() give the same answers.

#include "ebpf/maps/key_index.h"

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace nicsim::ebpf::test {
namespace {

// Slots with their keys, as a map keeps them; the index is checked against a std::map.
class IndexUnderTest {
 public:
  IndexUnderTest(uint32_t key_size, uint32_t slots)
      : key_size_(key_size), keys_(size_t{key_size} * slots), index_(key_size, keys_.data()) {}

  std::vector<uint8_t> key_for(uint64_t value) const {
    std::vector<uint8_t> key(key_size_, 0);
    for (uint32_t i = 0; i < key_size_; ++i)
      key[i] = static_cast<uint8_t>(value >> (8 * (i % 8)) ^ (i / 8) * 0x5b);
    return key;
  }
  void insert(uint32_t slot, const std::vector<uint8_t>& key) {
    std::memcpy(keys_.data() + size_t{slot} * key_size_, key.data(), key_size_);
    index_.insert(slot);
    expected_[as_string(key)] = slot;
  }
  void erase(const std::vector<uint8_t>& key) {
    index_.erase(expected_.at(as_string(key)));
    expected_.erase(as_string(key));
  }
  bool has(const std::vector<uint8_t>& key) const { return expected_.count(as_string(key)) != 0; }
  uint32_t slot_of(const std::vector<uint8_t>& key) const { return expected_.at(as_string(key)); }
  void check_all(const std::vector<std::vector<uint8_t>>& candidates) const {
    ASSERT_EQ(index_.size(), expected_.size());
    for (const auto& key : candidates) {
      const auto it = expected_.find(as_string(key));
      const uint32_t expected = it == expected_.end() ? KeyIndex::kNone : it->second;
      ASSERT_EQ(index_.find(key.data()), expected);
      ASSERT_EQ(find_sized(key.data()), expected);
      ASSERT_EQ(find_words(key), expected);
    }
  }

 private:
  // find_sized for the sizes the tests use: the same answers as find().
  uint32_t find_sized(const void* key) const {
    switch (key_size_) {
      case 1:
        return index_.find_sized<1>(key);
      case 4:
        return index_.find_sized<4>(key);
      case 13:
        return index_.find_sized<13>(key);
      case 36:
        return index_.find_sized<36>(key);
      default:
        ADD_FAILURE() << "no find_sized for " << key_size_;
        return KeyIndex::kNone;
    }
  }
  // find_words for the same sizes, the key's bytes copied into little-endian words.
  template <uint32_t kKeySize>
  uint32_t find_words_of(const std::vector<uint8_t>& key) const {
    std::array<uint64_t, (kKeySize + 7) / 8> words{};
    for (size_t i = 0; i < kKeySize; ++i)
      words[i / 8] |= uint64_t{key[i]} << (8 * (i % 8));
    return index_.find_words<kKeySize>(words);
  }
  uint32_t find_words(const std::vector<uint8_t>& key) const {
    switch (key_size_) {
      case 1:
        return find_words_of<1>(key);
      case 4:
        return find_words_of<4>(key);
      case 13:
        return find_words_of<13>(key);
      case 36:
        return find_words_of<36>(key);
      default:
        ADD_FAILURE() << "no find_words for " << key_size_;
        return KeyIndex::kNone;
    }
  }
  static std::string as_string(const std::vector<uint8_t>& key) {
    return std::string(key.begin(), key.end());
  }

  uint32_t key_size_;
  std::vector<uint8_t> keys_;
  KeyIndex index_;
  std::map<std::string, uint32_t> expected_;  // by the key's bytes
};

void random_operations(uint32_t key_size, uint32_t distinct_keys, uint32_t seed) {
  constexpr uint32_t kSlots = 256;
  IndexUnderTest index(key_size, kSlots);
  std::vector<std::vector<uint8_t>> keys;
  for (uint32_t k = 0; k < distinct_keys; ++k)
    keys.push_back(index.key_for(k * 0x9e3779b97f4a7c15ull + k));
  std::vector<uint32_t> free_slots;
  for (uint32_t s = 0; s < kSlots; ++s)
    free_slots.push_back(kSlots - 1 - s);
  std::mt19937 random(seed);
  for (int step = 0; step < 4000; ++step) {
    const auto& key = keys[random() % keys.size()];
    if (index.has(key)) {
      free_slots.push_back(index.slot_of(key));
      index.erase(key);
    } else if (!free_slots.empty()) {
      index.insert(free_slots.back(), key);
      free_slots.pop_back();
    }
    if (step % 97 == 0) index.check_all(keys);
  }
  index.check_all(keys);
}

TEST(KeyIndex, EmptyIndexFindsNothing) {
  const uint8_t keys[4] = {};
  const KeyIndex index(4, keys);
  const uint32_t key = 0;
  EXPECT_EQ(index.find(&key), KeyIndex::kNone);
  EXPECT_EQ(index.size(), 0u);
}

TEST(KeyIndex, FindsWhatWasInsertedUntilItIsErased) {
  for (uint32_t seed : {1u, 2u, 3u})
    random_operations(4, 300, seed);
}

// 1-byte keys: up to 256 entries in a table that doubles from 16, long probe runs, and
// removals in the middle of them.
TEST(KeyIndex, DenseTablesKeepEveryProbeRunIntact) {
  random_operations(1, 256, 7);
}

// Keys of 13 and 36 bytes: a partial last word, several words.
TEST(KeyIndex, KeysLongerThanOneWord) {
  random_operations(13, 200, 11);
  random_operations(36, 200, 12);
}

// Keys of 13 bytes that differ only in their last byte, the only byte of their second word:
// the word holding a key's last bytes takes part in both the hash and the compare.
TEST(KeyIndex, KeysDifferingOnlyInTheirLastByteAreDifferentKeys) {
  constexpr uint32_t kKeySize = 13;
  std::vector<uint8_t> keys(kKeySize * 2, 0x5a);
  keys[kKeySize - 1] = 1;
  keys[2 * kKeySize - 1] = 2;
  KeyIndex index(kKeySize, keys.data());
  index.insert(0);
  std::vector<uint8_t> probe(keys.begin() + kKeySize, keys.end());
  EXPECT_EQ(index.find(probe.data()), KeyIndex::kNone);
  EXPECT_EQ(index.find_sized<kKeySize>(probe.data()), KeyIndex::kNone);
  index.insert(1);
  EXPECT_EQ(index.find(probe.data()), 1u);
  EXPECT_EQ(index.find_sized<kKeySize>(probe.data()), 1u);
  EXPECT_EQ(index.find_sized<kKeySize>(keys.data()), 0u);
}

}  // namespace
}  // namespace nicsim::ebpf::test
