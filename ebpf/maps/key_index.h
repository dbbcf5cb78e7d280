#pragma once
// An index from fixed-size byte keys to slots, for maps that keep each slot's key in their
// own storage (slot s's key at keys + s * key_size, which never moves). It is on the path of
// every program lookup, so it is a flat open-addressing table: linear probing over entries
// holding the slot and 32 bits of the key's hash (most probes of another key end without
// touching the key storage), removal shifting the following entries back (no tombstones),
// doubling when half full.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace nicsim::ebpf {

class KeyIndex {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  KeyIndex(uint32_t key_size, const uint8_t* keys);

  size_t size() const { return size_; }
  // The slot whose key equals `key` (key_size bytes), or kNone.
  uint32_t find(const void* key) const;
  // Indexes `slot` under the key stored for it; no other slot may have that key.
  void insert(uint32_t slot);
  // Removes `slot`, which must be indexed (under the key stored for it).
  void erase(uint32_t slot);

 private:
  struct Entry {
    uint32_t slot = kNone;
    uint32_t tag = 0;  // the hash's upper half
  };
  uint64_t hash(const void* key) const;
  bool same_key(const uint8_t* a, const uint8_t* b) const;
  const uint8_t* key_of(uint32_t slot) const { return keys_ + size_t{slot} * key_size_; }
  // Puts `slot` in the first free entry from its key's home.
  void place(uint32_t slot);
  void grow();

  uint32_t key_size_;
  const uint8_t* keys_;
  std::vector<Entry> table_;  // a power of two in size
  size_t mask_;
  size_t size_ = 0;
};

}  // namespace nicsim::ebpf
