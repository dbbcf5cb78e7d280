#include "ebpf/maps/redirect_map.h"

#include <cerrno>
#include <cstring>

#include "ebpf/maps/array_map.h"
#include "ebpf/maps/map_flags.h"

namespace nicsim::ebpf {

namespace {

constexpr uint32_t kCpumapMaxQueueSize = 16384;

// The first u32 (ifindex or qsize) and, for 8-byte values, the program fd after it.
struct RedirectValue {
  uint32_t target = 0;
  int32_t program_fd = 0;
};

RedirectValue parse_value(const uint8_t* value, uint32_t value_size) {
  RedirectValue parsed;
  std::memcpy(&parsed.target, value, 4);
  if (value_size >= 8) std::memcpy(&parsed.program_fd, value + 4, 4);
  return parsed;
}

}  // namespace

RedirectMap::RedirectMap(const MapDefinition& def, const MapContext& context)
    : Map(def),
      context_(context),
      slots_(def.name, def.max_entries, def.value_size, 1),
      keys_(def.type == MapType::DevmapHash ? def.max_entries : 0),
      free_slots_(def.max_entries) {}

int64_t RedirectMap::find_hashed(uint32_t key) const {
  const auto it = index_.find(key);
  return it == index_.end() ? int64_t{-1} : int64_t{it->second};
}

void* RedirectMap::lookup(const void* key) {
  if (def().type == MapType::Cpumap) return nullptr;
  const int64_t slot = find(read_u32_key(key));
  return slot < 0 ? nullptr : slots_.value(static_cast<uint32_t>(slot));
}

int RedirectMap::update(const void*, const void*, uint64_t) {
  // The verifier lets programs only look these maps up and redirect through them.
  return -kErrNotSupp;
}

void RedirectMap::clear_slot(uint32_t slot) {
  slots_.set_live(slot, false);
  slots_.clear(slot);
}

int RedirectMap::update_array_slot(uint32_t key, const uint8_t* value, uint64_t flags) {
  const RedirectValue parsed = parse_value(value, def().value_size);
  const bool occupied = key < def().max_entries && slots_.live(key);
  switch (def().type) {
    case MapType::Devmap:
      if (key >= def().max_entries) return -E2BIG;
      if (flags == kMapUpdateNoExist) return -EEXIST;
      if (parsed.program_fd > 0) return -EINVAL;
      break;
    case MapType::Cpumap:
      if (key >= def().max_entries) return -E2BIG;
      if (flags == kMapUpdateNoExist) return -EEXIST;
      if (parsed.target > kCpumapMaxQueueSize) return -EOVERFLOW;
      if (key >= context_.num_cpus) return -ENODEV;
      if (parsed.program_fd > 0) return -EINVAL;
      break;
    default:  // Xskmap: the value is a socket and is never 'empty'.
      if (key >= def().max_entries) return -E2BIG;
      if (occupied && flags == kMapUpdateNoExist) return -EEXIST;
      if (!occupied && flags == kMapUpdateExist) return -ENOENT;
      slots_.write(key, value, 0);
      slots_.set_live(key, true);
      return 0;
  }
  if (parsed.target == 0) {  // ifindex / qsize 0: the same as deleting
    clear_slot(key);
    return 0;
  }
  slots_.write(key, value, 0);
  slots_.set_live(key, true);
  return 0;
}

int RedirectMap::update_hash_slot(uint32_t key, const uint8_t* value, uint64_t flags) {
  const RedirectValue parsed = parse_value(value, def().value_size);
  if (parsed.target == 0) return -EINVAL;
  int64_t slot = find(key);
  if (slot >= 0 && flags == kMapUpdateNoExist) return -EEXIST;
  if (parsed.program_fd > 0) return -EINVAL;
  if (slot < 0) {
    if (free_slots_.full()) return -E2BIG;
    slot = free_slots_.take();
    const auto s = static_cast<uint32_t>(slot);
    index_.emplace(key, s);
    keys_[s] = key;
    insertion_order_.push_back(s);
    slots_.set_live(s, true);
  }
  slots_.write(static_cast<uint32_t>(slot), value, 0);
  return 0;
}

int RedirectMap::host_update(const void* key, const void* value, uint64_t flags) {
  if (flags > kMapUpdateExist) return -EINVAL;
  const uint32_t k = read_u32_key(key);
  const auto* bytes = static_cast<const uint8_t*>(value);
  return hashed() ? update_hash_slot(k, bytes, flags) : update_array_slot(k, bytes, flags);
}

int RedirectMap::remove(const void* key) {
  const uint32_t k = read_u32_key(key);
  if (!hashed()) {
    // The kernel's array kinds accept deleting an empty slot.
    if (k >= def().max_entries) return -EINVAL;
    clear_slot(k);
    return 0;
  }
  const auto it = index_.find(k);
  if (it == index_.end()) return -ENOENT;
  const uint32_t slot = it->second;
  index_.erase(it);
  insertion_order_.erase(slot);
  clear_slot(slot);
  free_slots_.release(slot);
  return 0;
}

int RedirectMap::host_lookup(const void* key, void* value_out) const {
  const int64_t slot = find(read_u32_key(key));
  if (slot < 0) return -ENOENT;
  std::memcpy(value_out, slots_.value(static_cast<uint32_t>(slot)), def().value_size);
  return 0;
}

int RedirectMap::get_next_key(const void* key, void* next_key) const {
  if (hashed()) {
    uint32_t next = insertion_order_.front();
    if (key != nullptr) {
      const int64_t slot = find(read_u32_key(key));
      if (slot >= 0) next = insertion_order_.next(static_cast<uint32_t>(slot));
    }
    if (next == SlotList::kNone) return -ENOENT;
    std::memcpy(next_key, &keys_[next], sizeof(uint32_t));
    return 0;
  }
  const uint32_t index = key == nullptr ? UINT32_MAX : read_u32_key(key);
  uint32_t next = 0;
  if (index < def().max_entries) {
    if (index == def().max_entries - 1) return -ENOENT;
    next = index + 1;
  }
  std::memcpy(next_key, &next, sizeof next);
  return 0;
}

bool RedirectMap::owns_value_range(uint64_t addr, uint64_t len) const {
  return def().type != MapType::Cpumap && slots_.owns_range(addr, len);
}

}  // namespace nicsim::ebpf
