#pragma once
// An index from fixed-size byte keys to slots, for maps that keep each slot's key in their
// own storage (slot s's key at keys + s * key_size, which never moves). It is on the path of
// every program lookup, so it is a flat open-addressing table: linear probing over entries
// holding the slot and 32 bits of the key's hash (most probes of another key end without
// touching the key storage), removal shifting the following entries back (no tombstones),
// doubling when half full.
//
// find() reads the key size at run time; find_sized<N>() is the same lookup for a size known
// at compile time (hashing and comparing unrolled): the direct lookups JIT-compiled programs
// call (Map::direct_lookup) use it. Both hash with the same function, so they agree.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

namespace nicsim::ebpf {

class KeyIndex {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  KeyIndex(uint32_t key_size, const uint8_t* keys);

  size_t size() const { return size_; }
  // The slot whose key equals `key` (key_size bytes), or kNone.
  uint32_t find(const void* key) const { return find_with(key, key_size_); }
  // find() for an index whose keys are kKeySize bytes long.
  template <uint32_t kKeySize>
  uint32_t find_sized(const void* key) const {
    return find_with(key, std::integral_constant<uint32_t, kKeySize>{});
  }
  // Indexes `slot` under the key stored for it; no other slot may have that key.
  void insert(uint32_t slot);
  // Removes `slot`, which must be indexed (under the key stored for it).
  void erase(uint32_t slot);

 private:
  struct Entry {
    uint32_t slot = kNone;
    uint32_t tag = 0;  // the hash's upper half
  };
  // `Size` is uint32_t (read at run time) or a std::integral_constant (unrolled).
  template <class Size>
  uint32_t find_with(const void* key, Size key_size) const;
  template <class Size>
  static uint64_t hash(const uint8_t* key, Size key_size);
  template <class Size>
  static bool same_key(const uint8_t* a, const uint8_t* b, Size key_size);
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

namespace key_index_detail {

inline uint64_t load64(const uint8_t* bytes) {
  uint64_t word;
  std::memcpy(&word, bytes, sizeof word);
  return word;
}

inline uint32_t load32(const uint8_t* bytes) {
  uint32_t word;
  std::memcpy(&word, bytes, sizeof word);
  return word;
}

// The last `rest` (1..7) bytes of a key as one word, with fixed-size (inlined) reads that may
// overlap: every byte takes part.
inline uint64_t tail_word(const uint8_t* bytes, size_t rest) {
  if (rest >= 4) return load32(bytes) | uint64_t{load32(bytes + rest - 4)} << 32;
  return bytes[0] | uint64_t{bytes[rest / 2]} << 8 | uint64_t{bytes[rest - 1]} << 16;
}

// The 128-bit product of x and a fixed odd constant, folded (low half ^ high half): every
// bit of x reaches the low bits, which choose the home entry, in one multiplication.
inline uint64_t fold_multiply(uint64_t x) {
  const unsigned __int128 product = static_cast<unsigned __int128>(x) * 0x9e3779b97f4a7c15ull;
  return static_cast<uint64_t>(product) ^ static_cast<uint64_t>(product >> 64);
}

}  // namespace key_index_detail

template <class Size>
uint64_t KeyIndex::hash(const uint8_t* bytes, Size key_size) {
  using namespace key_index_detail;
  // Eight bytes at a time (keys are small: addresses, flow tuples), each word folded into the
  // state by one widening multiplication: a lookup hashes a u32 or u64 key with one multiply.
  const uint32_t size = key_size;
  uint64_t h = 0xc4ceb9fe1a85ec53ull ^ size;
  size_t i = 0;
  for (; i + 8 <= size; i += 8)
    h = fold_multiply(h ^ load64(bytes + i));
  if (i < size) h = fold_multiply(h ^ tail_word(bytes + i, size - i));
  return h;
}

template <class Size>
bool KeyIndex::same_key(const uint8_t* a, const uint8_t* b, Size key_size) {
  using namespace key_index_detail;
  // Word compares instead of a call to memcmp: keys are a few words long.
  const uint32_t size = key_size;
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    if (load64(a + i) != load64(b + i)) return false;
  }
  return i == size || tail_word(a + i, size - i) == tail_word(b + i, size - i);
}

template <class Size>
uint32_t KeyIndex::find_with(const void* key, Size key_size) const {
  const auto* bytes = static_cast<const uint8_t*>(key);
  const uint64_t h = hash(bytes, key_size);
  const auto tag = static_cast<uint32_t>(h >> 32);
  // Never more than half full: the probe meets an empty entry.
  for (size_t i = h & mask_;; i = (i + 1) & mask_) {
    const Entry& entry = table_[i];
    if (entry.slot == kNone) return kNone;
    if (entry.tag == tag && same_key(keys_ + size_t{entry.slot} * key_size, bytes, key_size))
      return entry.slot;
  }
}

}  // namespace nicsim::ebpf
