#pragma once
// BPF_MAP_TYPE_LPM_TRIE. Keys are struct bpf_lpm_trie_key: a u32 prefix length followed by
// data bytes compared bit by bit from the most significant bit of data[0] (network order,
// as the kernel's extract_bit does). lookup() returns the entry with the longest prefix that
// matches the first key.prefixlen bits of the key; update() and remove() address one exact
// (prefixlen, first prefixlen bits) entry. Bits beyond an entry's prefix do not take part in
// matching but are kept and returned by get_next_key, as in the kernel.
//
// Lookups probe one hash index per prefix length in use, longest first, instead of walking a
// trie: the same answers, in time proportional to the number of distinct prefix lengths.

#include <array>
#include <set>
#include <vector>

#include "ebpf/maps/key_index.h"
#include "ebpf/maps/map.h"
#include "ebpf/maps/slot_list.h"
#include "ebpf/maps/value_slots.h"

namespace nicsim::ebpf {

class LpmTrieMap : public Map {
 public:
  explicit LpmTrieMap(const MapDefinition& def);

  void* lookup(const void* key) override;
  int update(const void* key, const void* value, uint64_t flags) override;
  int remove(const void* key) override;
  DirectLookup direct_lookup() const override;
  int host_lookup(const void* key, void* value_out) const override;
  int host_update(const void* key, const void* value, uint64_t flags) override;
  int get_next_key(const void* key, void* next_key) const override;
  bool owns_value_range(uint64_t addr, uint64_t len) const override;

  uint32_t max_prefix_length() const { return data_size_ * 8; }

 private:
  static constexpr size_t kMaxKeySize = 4 + 256;
  using KeyBuffer = std::array<uint8_t, kMaxKeySize>;

  // Writes the canonical form of (prefix_length, data): data bits past the prefix cleared.
  void canonical_key(uint32_t prefix_length, const uint8_t* data, KeyBuffer& out) const;
  // Slot of the exact entry for `key`, or -1.
  int64_t find_exact(const void* key) const;
  // Longest-prefix match of `key`, or -1; kKeySize is the key size when known at compile
  // time (0: read at run time).
  template <uint32_t kKeySize = 0>
  int64_t find_longest(const void* key) const;
  // find_longest for 4 data bytes (IPv4 addresses) on a little-endian host.
  int64_t find_longest_in_word(const void* key) const;
  // DirectLookup for keys of kKeySize bytes (0: any size).
  template <uint32_t kKeySize>
  static void* lookup_sized(Map* map, const void* key);
  uint8_t* stored_key(uint32_t slot) const {
    return keys_.get() + static_cast<size_t>(slot) * def().key_size;
  }
  uint8_t* canonical(uint32_t slot) const {
    return canonical_keys_.get() + static_cast<size_t>(slot) * def().key_size;
  }

  // The kernel's get_next_key order (post-order of the trie): more specific prefixes before
  // the prefixes that contain them, 0 branches before 1 branches.
  struct PostOrder {
    const LpmTrieMap* map;
    bool operator()(uint32_t a, uint32_t b) const;
  };

  uint32_t data_size_;
  ValueSlots slots_;
  ZeroedBuffer keys_;            // keys as given by the last update
  ZeroedBuffer canonical_keys_;  // keys with the bits past the prefix cleared
  KeyIndex index_;               // canonical key -> slot
  std::vector<uint32_t> entries_per_length_;
  std::vector<uint32_t> lengths_in_use_;  // longest first
  SlotAllocator free_slots_;
  std::set<uint32_t, PostOrder> order_;
};

}  // namespace nicsim::ebpf
