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
//
// The key looked up is read one byte at a time (but a 4-byte key: find_sized). A program
// writes its key on its stack just before the lookup, field by field, often over wider
// zeroing stores; a wider load spanning
// several of those stores cannot take its bytes from the store buffer and waits until they
// reach the cache, with every store before them (4 to 6 ns a lookup: xdp_tx_iptunnel's
// 24-byte key, steady-state net 13.9-14.5 -> 9.8-9.9 ns). A byte always lies within one
// store. Keys stored in the map were written long before and are read in words.

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

namespace nicsim::ebpf {

namespace key_index_detail {

static_assert(std::endian::native == std::endian::little, "key words are little-endian loads");

// Bytes [0, count) of a key, count 1..8, as a little-endian word (the rest zero).
inline uint64_t key_word(const uint8_t* bytes, size_t count) {
  uint64_t word = 0;
  std::memcpy(&word, bytes, count);
  return word;
}

// The same word read a byte at a time (see the top of this file); volatile, or the compiler
// merges the reads back into one.
inline uint64_t fresh_key_word(const uint8_t* bytes, size_t count) {
  const volatile uint8_t* byte = bytes;
  uint64_t word = 0;
  for (size_t k = 0; k < count; ++k)
    word |= uint64_t{byte[k]} << (8 * k);
  return word;
}

// How many bytes of a key of `size` bytes word j holds.
inline size_t bytes_in_word(size_t j, uint32_t size) {
  return std::min<size_t>(8, size - 8 * j);
}

// The 128-bit product of x and a fixed odd constant, folded (low half ^ high half): every
// bit of x reaches the low bits, which choose the home entry, in one multiplication.
inline uint64_t fold_multiply(uint64_t x) {
  const unsigned __int128 product = static_cast<unsigned __int128>(x) * 0x9e3779b97f4a7c15ull;
  return static_cast<uint64_t>(product) ^ static_cast<uint64_t>(product >> 64);
}

// A key in map storage, read in words.
struct StoredKey {
  const uint8_t* bytes;
  uint32_t size;
  uint64_t word(size_t j) const { return key_word(bytes + 8 * j, bytes_in_word(j, size)); }
};

// A key looked up, read a byte at a time whenever a word is needed.
struct FreshKey {
  const uint8_t* bytes;
  uint32_t size;
  uint64_t word(size_t j) const { return fresh_key_word(bytes + 8 * j, bytes_in_word(j, size)); }
};

// A key looked up, its words read once (a byte at a time) or given. Refers to them: a copy
// of the array may go through memory in wider moves than its words were stored with.
template <uint32_t kKeySize>
struct KeyWords {
  const std::array<uint64_t, (kKeySize + 7) / 8>& words;
  uint64_t word(size_t j) const { return words[j]; }
};

}  // namespace key_index_detail

class KeyIndex {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  KeyIndex(uint32_t key_size, const uint8_t* keys);

  size_t size() const { return size_; }
  // The slot whose key equals `key` (key_size bytes), or kNone.
  uint32_t find(const void* key) const;
  // find() for an index whose keys are kKeySize bytes long.
  template <uint32_t kKeySize>
  uint32_t find_sized(const void* key) const;
  // find_sized() for a key already in registers: its bytes as little-endian words, the last
  // one zero-padded.
  template <uint32_t kKeySize>
  uint32_t find_words(const std::array<uint64_t, (kKeySize + 7) / 8>& words) const;
  // Indexes `slot` under the key stored for it; no other slot may have that key.
  void insert(uint32_t slot);
  // Removes `slot`, which must be indexed (under the key stored for it).
  void erase(uint32_t slot);

 private:
  struct Entry {
    uint32_t slot = kNone;
    uint32_t tag = 0;  // the hash's upper half
  };
  // `Size` is uint32_t (read at run time) or a std::integral_constant (unrolled); `Probe`
  // gives the key looked up word by word (word(j): bytes 8j.. as key_word makes them).
  template <class Probe, class Size>
  uint32_t find_with(const Probe& probe, Size key_size) const;
  template <class Probe, class Size>
  static uint64_t hash(const Probe& probe, Size key_size);
  key_index_detail::StoredKey stored(uint32_t slot) const {
    return {keys_ + size_t{slot} * key_size_, key_size_};
  }
  // Puts `slot` in the first free entry from its key's home.
  void place(uint32_t slot);
  void grow();

  uint32_t key_size_;
  const uint8_t* keys_;
  std::vector<Entry> table_;  // a power of two in size
  size_t mask_;
  size_t size_ = 0;
};

inline uint32_t KeyIndex::find(const void* key) const {
  return find_with(key_index_detail::FreshKey{static_cast<const uint8_t*>(key), key_size_},
                   key_size_);
}

template <uint32_t kKeySize>
uint32_t KeyIndex::find_sized(const void* key) const {
  const auto* bytes = static_cast<const uint8_t*>(key);
  std::array<uint64_t, (kKeySize + 7) / 8> words;
  if constexpr (kKeySize == 4) {
    // A 4-byte key is one u32 (an address, an index), stored by one 32-bit store, which a
    // 32-bit load takes from the store buffer; four byte loads and their merge cost about
    // 1 ns a lookup more (xdp_router_ipv4, two such lookups: 17.8-18.2 -> 16.3-16.9 ns).
    words[0] = key_index_detail::key_word(bytes, 4);
    return find_words<kKeySize>(words);
  }
  for (size_t j = 0; j < words.size(); ++j)
    words[j] = key_index_detail::fresh_key_word(bytes + 8 * j,
                                                key_index_detail::bytes_in_word(j, kKeySize));
  return find_words<kKeySize>(words);
}

template <uint32_t kKeySize>
uint32_t KeyIndex::find_words(const std::array<uint64_t, (kKeySize + 7) / 8>& words) const {
  return find_with(key_index_detail::KeyWords<kKeySize>{words},
                   std::integral_constant<uint32_t, kKeySize>{});
}

template <class Probe, class Size>
uint64_t KeyIndex::hash(const Probe& probe, Size key_size) {
  using namespace key_index_detail;
  // A word at a time (keys are small: addresses, flow tuples), each folded into the state
  // by one widening multiplication: a lookup hashes a u32 or u64 key with one multiply.
  const uint32_t size = key_size;
  uint64_t h = 0xc4ceb9fe1a85ec53ull ^ size;
  for (size_t j = 0; 8 * j < size; ++j)
    h = fold_multiply(h ^ probe.word(j));
  return h;
}

template <class Probe, class Size>
uint32_t KeyIndex::find_with(const Probe& probe, Size key_size) const {
  const uint64_t h = hash(probe, key_size);
  const auto tag = static_cast<uint32_t>(h >> 32);
  const uint32_t size = key_size;
  // Never more than half full: the probe meets an empty entry.
  for (size_t i = h & mask_;; i = (i + 1) & mask_) {
    const Entry& entry = table_[i];
    if (entry.slot == kNone) return kNone;
    if (entry.tag != tag) continue;
    // Word compares instead of a call to memcmp: keys are a few words long.
    const key_index_detail::StoredKey key{keys_ + size_t{entry.slot} * size, size};
    bool same = true;
    for (size_t j = 0; same && 8 * j < size; ++j)
      same = key.word(j) == probe.word(j);
    if (same) return entry.slot;
  }
}

}  // namespace nicsim::ebpf
