#include "ebpf/maps/hash_map.h"

#include <cerrno>
#include <cstring>

#include "ebpf/maps/map_flags.h"

namespace nicsim::ebpf {

namespace {

bool is_percpu(MapType type) {
  return type == MapType::PercpuHash || type == MapType::LruPercpuHash;
}

}  // namespace

HashMap::HashMap(const MapDefinition& def, const MapContext& context)
    : Map(def),
      context_(context),
      lru_(def.type == MapType::LruHash || def.type == MapType::LruPercpuHash),
      slots_(def.name, def.max_entries, def.value_size, is_percpu(def.type) ? context.num_cpus : 1),
      keys_(def.name, static_cast<size_t>(def.max_entries) * def.key_size),
      index_(def.key_size, keys_.get()),
      free_slots_(def.max_entries) {
  static_assert(KeyIndex::kNone == SlotList::kNone);
}

void* HashMap::lookup(const void* key) {
  return program_value(find(key));
}

template <uint32_t kKeySize>
void* HashMap::lookup_sized(Map* map, const void* key) {
  auto& self = *static_cast<HashMap*>(map);
  if constexpr (kKeySize == 0) {
    return self.program_value(self.index_.find(key));
  } else {
    return self.program_value(self.index_.find_sized<kKeySize>(key));
  }
}

Map::DirectLookup HashMap::direct_lookup() const {
  return direct_lookup_for_key_size(def().key_size, [](auto size) -> DirectLookup {
    return &HashMap::lookup_sized<decltype(size)::value>;
  });
}

int64_t HashMap::slot_for_update(const void* key, uint64_t flags) {
  // BPF_F_LOCK needs a bpf_spin_lock in the value, which nicsim's values never declare.
  if (flags > kMapUpdateExist) return -EINVAL;
  const uint32_t existing = find(key);
  if (existing != SlotList::kNone) {
    if (flags == kMapUpdateNoExist) return -EEXIST;
    return existing;
  }
  if (flags == kMapUpdateExist) return -ENOENT;
  if (free_slots_.full()) {
    if (!lru_) return -E2BIG;
    remove(keys_.get() + static_cast<size_t>(recency_.front()) * def().key_size);
  }
  const uint32_t slot = free_slots_.take();
  char* stored_key =
      reinterpret_cast<char*>(keys_.get()) + static_cast<size_t>(slot) * def().key_size;
  std::memcpy(stored_key, key, def().key_size);
  index_.insert(slot);
  slots_.clear(slot);
  slots_.set_live(slot, true);
  insertion_order_.push_back(slot);
  if (lru_) recency_.push_back(slot);
  return slot;
}

int HashMap::update(const void* key, const void* value, uint64_t flags) {
  const int64_t slot = slot_for_update(key, flags);
  if (slot < 0) return static_cast<int>(slot);
  if (lru_) recency_.move_to_back(static_cast<uint32_t>(slot));
  // A program writes its own CPU's copy; a new per-CPU entry starts zeroed on the others.
  slots_.write(static_cast<uint32_t>(slot), value, current_copy());
  return 0;
}

int HashMap::remove(const void* key) {
  const uint32_t slot = find(key);
  if (slot == SlotList::kNone) return -ENOENT;
  index_.erase(slot);
  slots_.set_live(slot, false);
  insertion_order_.erase(slot);
  if (lru_) recency_.erase(slot);
  free_slots_.release(slot);
  return 0;
}

int HashMap::host_lookup(const void* key, void* value_out) const {
  const uint32_t slot = find(key);
  if (slot == SlotList::kNone) return -ENOENT;
  slots_.read_host(slot, value_out);
  return 0;
}

int HashMap::host_update(const void* key, const void* value, uint64_t flags) {
  const int64_t slot = slot_for_update(key, flags);
  if (slot < 0) return static_cast<int>(slot);
  if (lru_) recency_.move_to_back(static_cast<uint32_t>(slot));
  slots_.write_host(static_cast<uint32_t>(slot), value);
  return 0;
}

int HashMap::get_next_key(const void* key, void* next_key) const {
  // As in the kernel, a key that is not in the map restarts the iteration.
  uint32_t next = insertion_order_.front();
  if (key != nullptr) {
    const uint32_t slot = find(key);
    if (slot != SlotList::kNone) next = insertion_order_.next(slot);
  }
  if (next == SlotList::kNone) return -ENOENT;
  std::memcpy(next_key, keys_.get() + static_cast<size_t>(next) * def().key_size, def().key_size);
  return 0;
}

bool HashMap::owns_value_range(uint64_t addr, uint64_t len) const {
  return slots_.owns_range(addr, len);
}

}  // namespace nicsim::ebpf
