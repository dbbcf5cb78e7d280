#include "ebpf/maps/key_index.h"

namespace nicsim::ebpf {

namespace {

constexpr size_t kInitialEntries = 16;

}  // namespace

KeyIndex::KeyIndex(uint32_t key_size, const uint8_t* keys)
    : key_size_(key_size), keys_(keys), table_(kInitialEntries), mask_(kInitialEntries - 1) {}

void KeyIndex::place(uint32_t slot) {
  const uint64_t h = hash(stored(slot), key_size_);
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
  size_t hole = hash(stored(slot), key_size_) & mask_;
  while (table_[hole].slot != slot)
    hole = (hole + 1) & mask_;
  // Backward shift: an entry after the hole moves into it unless its home lies after the
  // hole (cyclically), where a probe for it starts past the hole anyway.
  for (size_t j = (hole + 1) & mask_; table_[j].slot != kNone; j = (j + 1) & mask_) {
    const size_t home = hash(stored(table_[j].slot), key_size_) & mask_;
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
