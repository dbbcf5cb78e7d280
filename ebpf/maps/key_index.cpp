#include "ebpf/maps/key_index.h"

#include <cstring>

namespace nicsim::ebpf {

namespace {

constexpr size_t kInitialEntries = 16;
constexpr uint64_t kMultiplier = 0xff51afd7ed558ccdull;

uint64_t load64(const uint8_t* bytes) {
  uint64_t word;
  std::memcpy(&word, bytes, sizeof word);
  return word;
}

uint32_t load32(const uint8_t* bytes) {
  uint32_t word;
  std::memcpy(&word, bytes, sizeof word);
  return word;
}

// The last `rest` (1..7) bytes of a key as one word, with fixed-size (inlined) reads that may
// overlap: every byte takes part.
uint64_t tail_word(const uint8_t* bytes, size_t rest) {
  if (rest >= 4) return load32(bytes) | uint64_t{load32(bytes + rest - 4)} << 32;
  return bytes[0] | uint64_t{bytes[rest / 2]} << 8 | uint64_t{bytes[rest - 1]} << 16;
}

}  // namespace

KeyIndex::KeyIndex(uint32_t key_size, const uint8_t* keys)
    : key_size_(key_size), keys_(keys), table_(kInitialEntries), mask_(kInitialEntries - 1) {}

uint64_t KeyIndex::hash(const void* key) const {
  // Eight bytes at a time (keys are small: addresses, flow tuples), then a full avalanche
  // (murmur3's finaliser) so that the low bits choosing the home entry depend on every byte.
  const auto* bytes = static_cast<const uint8_t*>(key);
  uint64_t h = 0x9e3779b97f4a7c15ull ^ key_size_;
  const auto mix = [&h](uint64_t word) {
    h = (h ^ word) * kMultiplier;
    h ^= h >> 32;
  };
  size_t i = 0;
  for (; i + 8 <= key_size_; i += 8)
    mix(load64(bytes + i));
  if (i < key_size_) mix(tail_word(bytes + i, key_size_ - i));
  h ^= h >> 33;
  h *= kMultiplier;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

bool KeyIndex::same_key(const uint8_t* a, const uint8_t* b) const {
  // Word compares instead of a call to memcmp: keys are a few words long.
  size_t i = 0;
  for (; i + 8 <= key_size_; i += 8) {
    if (load64(a + i) != load64(b + i)) return false;
  }
  return i == key_size_ || tail_word(a + i, key_size_ - i) == tail_word(b + i, key_size_ - i);
}

uint32_t KeyIndex::find(const void* key) const {
  const uint64_t h = hash(key);
  const auto tag = static_cast<uint32_t>(h >> 32);
  // Never more than half full: the probe meets an empty entry.
  for (size_t i = h & mask_;; i = (i + 1) & mask_) {
    const Entry& entry = table_[i];
    if (entry.slot == kNone) return kNone;
    if (entry.tag == tag && same_key(key_of(entry.slot), static_cast<const uint8_t*>(key)))
      return entry.slot;
  }
}

void KeyIndex::place(uint32_t slot) {
  const uint64_t h = hash(key_of(slot));
  size_t i = h & mask_;
  while (table_[i].slot != kNone)
    i = (i + 1) & mask_;
  table_[i] = Entry{slot, static_cast<uint32_t>(h >> 32)};
}

void KeyIndex::insert(uint32_t slot) {
  if ((size_ + 1) * 2 > table_.size()) grow();
  place(slot);
  ++size_;
}

void KeyIndex::erase(uint32_t slot) {
  size_t hole = hash(key_of(slot)) & mask_;
  while (table_[hole].slot != slot)
    hole = (hole + 1) & mask_;
  // Backward shift: an entry after the hole moves into it unless its home lies after the
  // hole (cyclically), where a probe for it starts past the hole anyway.
  for (size_t j = (hole + 1) & mask_; table_[j].slot != kNone; j = (j + 1) & mask_) {
    const size_t home = hash(key_of(table_[j].slot)) & mask_;
    if (((j - home) & mask_) >= ((j - hole) & mask_)) {
      table_[hole] = table_[j];
      hole = j;
    }
  }
  table_[hole] = Entry{};
  --size_;
}

void KeyIndex::grow() {
  std::vector<Entry> old = std::move(table_);
  table_.assign(old.size() * 2, Entry{});
  mask_ = table_.size() - 1;
  for (const Entry& entry : old) {
    if (entry.slot != kNone) place(entry.slot);
  }
}

}  // namespace nicsim::ebpf
