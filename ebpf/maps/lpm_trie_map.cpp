#include "ebpf/maps/lpm_trie_map.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <functional>

#include "ebpf/maps/map_flags.h"

namespace nicsim::ebpf {

namespace {

uint32_t prefix_length_of(const void* key) {
  uint32_t length;
  std::memcpy(&length, key, sizeof length);
  return length;
}

const uint8_t* data_of(const void* key) {
  return static_cast<const uint8_t*>(key) + 4;
}

int bit_at(const uint8_t* data, uint32_t index) {
  return (data[index / 8] >> (7 - index % 8)) & 1;
}

}  // namespace

LpmTrieMap::LpmTrieMap(const MapDefinition& def)
    : Map(def),
      data_size_(def.key_size - 4),
      slots_(def.name, def.max_entries, def.value_size, 1),
      keys_(def.name, static_cast<size_t>(def.max_entries) * def.key_size),
      canonical_keys_(def.name, static_cast<size_t>(def.max_entries) * def.key_size),
      index_(def.key_size, canonical_keys_.get()),
      entries_per_length_(data_size_ * 8 + 1, 0),
      free_slots_(def.max_entries),
      order_(PostOrder{this}) {}

bool LpmTrieMap::PostOrder::operator()(uint32_t a, uint32_t b) const {
  const uint8_t* ka = map->canonical(a);
  const uint8_t* kb = map->canonical(b);
  const uint32_t la = prefix_length_of(ka), lb = prefix_length_of(kb);
  const uint32_t common = std::min(la, lb);
  for (uint32_t bit = 0; bit < common; ++bit) {
    const int ba = bit_at(data_of(ka), bit), bb = bit_at(data_of(kb), bit);
    if (ba != bb) return ba < bb;
  }
  return la > lb;  // the more specific prefix first
}

void LpmTrieMap::canonical_key(uint32_t prefix_length, const uint8_t* data, KeyBuffer& out) const {
  std::memcpy(out.data(), &prefix_length, 4);
  uint8_t* bytes = out.data() + 4;
  const uint32_t full_bytes = prefix_length / 8;
  std::memcpy(bytes, data, full_bytes);
  if (full_bytes < data_size_) {
    const uint32_t rest = prefix_length % 8;
    bytes[full_bytes] = rest == 0 ? 0 : static_cast<uint8_t>(data[full_bytes] & (0xff00 >> rest));
    std::memset(bytes + full_bytes + 1, 0, data_size_ - full_bytes - 1);
  }
}

int64_t LpmTrieMap::find_exact(const void* key) const {
  const uint32_t length = prefix_length_of(key);
  if (length > max_prefix_length()) return -1;
  KeyBuffer buffer;
  canonical_key(length, data_of(key), buffer);
  const uint32_t slot = index_.find(buffer.data());
  return slot == KeyIndex::kNone ? int64_t{-1} : int64_t{slot};
}

int64_t LpmTrieMap::find_longest_in_word(const void* key) const {
  static_assert(std::endian::native == std::endian::little);
  const uint32_t length = prefix_length_of(key);
  if (length > 32) return -1;
  // The address is read a byte at a time: programs build it with byte stores just before the
  // lookup (the kernel samples' key.b8[4..7]), and one 4-byte load spanning them waits until
  // they all reach the cache (xdp_router_ipv4's steady state).
  const auto data = static_cast<uint32_t>(key_index_detail::fresh_key_word(data_of(key), 4));
  const uint32_t address = __builtin_bswap32(data);  // the key's first bit is the MSB
  // Each candidate key is one register, handed to the index as such (not through memory).
  for (const uint32_t candidate : lengths_in_use_) {
    if (candidate > length) continue;
    const uint32_t masked = address & static_cast<uint32_t>(~(uint64_t{UINT32_MAX} >> candidate));
    const uint64_t canonical = candidate | uint64_t{__builtin_bswap32(masked)} << 32;
    const uint32_t slot = index_.find_words<8>({canonical});
    if (slot != KeyIndex::kNone) return slot;
  }
  return -1;
}

template <uint32_t kKeySize>
int64_t LpmTrieMap::find_longest(const void* key) const {
  if constexpr (kKeySize == 8 && std::endian::native == std::endian::little)
    return find_longest_in_word(key);
  const uint32_t data_size = kKeySize == 0 ? data_size_ : kKeySize - 4;
  const uint32_t length = prefix_length_of(key);
  if (length > data_size * 8) return -1;
  // One copy of the data; each shorter candidate (longest first) clears the bits past it.
  KeyBuffer buffer;
  uint8_t* bytes = buffer.data() + 4;
  std::memcpy(bytes, data_of(key), data_size);
  for (const uint32_t candidate : lengths_in_use_) {
    if (candidate > length) continue;
    std::memcpy(buffer.data(), &candidate, 4);
    uint32_t byte = candidate / 8;
    if (candidate % 8 != 0) bytes[byte++] &= static_cast<uint8_t>(0xff00 >> (candidate % 8));
    for (; byte < data_size; ++byte)
      bytes[byte] = 0;
    uint32_t slot;
    if constexpr (kKeySize == 0) {
      slot = index_.find(buffer.data());
    } else {
      slot = index_.find_sized<kKeySize>(buffer.data());
    }
    if (slot != KeyIndex::kNone) return slot;
  }
  return -1;
}

void* LpmTrieMap::lookup(const void* key) {
  return lookup_sized<0>(this, key);
}

template <uint32_t kKeySize>
void* LpmTrieMap::lookup_sized(Map* map, const void* key) {
  auto& self = *static_cast<LpmTrieMap*>(map);
  const int64_t slot = self.find_longest<kKeySize>(key);
  return slot < 0 ? nullptr : self.slots_.value(static_cast<uint32_t>(slot));
}

Map::DirectLookup LpmTrieMap::direct_lookup() const {
  return direct_lookup_for_key_size(def().key_size, [](auto size) -> DirectLookup {
    return &LpmTrieMap::lookup_sized<decltype(size)::value>;
  });
}

int LpmTrieMap::update(const void* key, const void* value, uint64_t flags) {
  if (flags > kMapUpdateExist) return -EINVAL;
  const uint32_t length = prefix_length_of(key);
  if (length > max_prefix_length()) return -EINVAL;
  int64_t slot = find_exact(key);
  if (slot >= 0) {
    if (flags == kMapUpdateNoExist) return -EEXIST;
  } else {
    if (flags == kMapUpdateExist) return -ENOENT;
    if (free_slots_.full()) return -ENOSPC;
    slot = free_slots_.take();
    const auto s = static_cast<uint32_t>(slot);
    KeyBuffer buffer;
    canonical_key(length, data_of(key), buffer);
    std::memcpy(canonical(s), buffer.data(), def().key_size);
    index_.insert(s);
    order_.insert(s);
    if (entries_per_length_[length]++ == 0) {
      lengths_in_use_.push_back(length);
      std::sort(lengths_in_use_.begin(), lengths_in_use_.end(), std::greater<>());
    }
    slots_.set_live(s, true);
  }
  const auto s = static_cast<uint32_t>(slot);
  std::memcpy(stored_key(s), key, def().key_size);
  slots_.write(s, value, 0);
  return 0;
}

int LpmTrieMap::remove(const void* key) {
  if (prefix_length_of(key) > max_prefix_length()) return -EINVAL;
  const int64_t found = find_exact(key);
  if (found < 0) return -ENOENT;
  const auto slot = static_cast<uint32_t>(found);
  const uint32_t length = prefix_length_of(canonical(slot));
  order_.erase(slot);
  index_.erase(slot);
  if (--entries_per_length_[length] == 0) std::erase(lengths_in_use_, length);
  slots_.set_live(slot, false);
  free_slots_.release(slot);
  return 0;
}

int LpmTrieMap::host_lookup(const void* key, void* value_out) const {
  // The syscall lookup is the same longest-prefix match as the program's.
  const int64_t slot = find_longest(key);
  if (slot < 0) return -ENOENT;
  std::memcpy(value_out, slots_.value(static_cast<uint32_t>(slot)), def().value_size);
  return 0;
}

int LpmTrieMap::host_update(const void* key, const void* value, uint64_t flags) {
  return update(key, value, flags);
}

int LpmTrieMap::get_next_key(const void* key, void* next_key) const {
  if (order_.empty()) return -ENOENT;
  auto next = order_.begin();
  if (key != nullptr) {
    // An unknown key restarts from the first (leftmost) entry, as in the kernel.
    const int64_t slot = find_exact(key);
    if (slot >= 0) {
      next = std::next(order_.find(static_cast<uint32_t>(slot)));
      if (next == order_.end()) return -ENOENT;
    }
  }
  std::memcpy(next_key, stored_key(*next), def().key_size);
  return 0;
}

bool LpmTrieMap::owns_value_range(uint64_t addr, uint64_t len) const {
  return slots_.owns_range(addr, len);
}

}  // namespace nicsim::ebpf
