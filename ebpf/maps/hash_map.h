#pragma once
// BPF_MAP_TYPE_HASH, PERCPU_HASH, LRU_HASH and LRU_PERCPU_HASH. All max_entries slots are
// preallocated (as the kernel does without BPF_F_NO_PREALLOC); an update of an existing key
// rewrites its value in place, so a pointer a program holds keeps seeing the entry.
//
// LRU maps evict the least recently used entry when an update needs a slot and none is free.
// Program lookups and updates refresh an entry; host (syscall) lookups do not, as in the
// kernel. The kernel's LRU is approximate (per-CPU free lists, a shrink batch, a reference
// bit instead of a strict order) and can evict earlier or a different entry; nicsim's order
// is exact, which makes runs reproducible.

#include "ebpf/maps/key_index.h"
#include "ebpf/maps/map.h"
#include "ebpf/maps/slot_list.h"
#include "ebpf/maps/value_slots.h"

namespace nicsim::ebpf {

class HashMap : public Map {
 public:
  HashMap(const MapDefinition& def, const MapContext& context);

  void* lookup(const void* key) override;
  int update(const void* key, const void* value, uint64_t flags) override;
  int remove(const void* key) override;
  DirectLookup direct_lookup() const override;
  size_t host_value_size() const override { return slots_.host_size(); }
  int host_lookup(const void* key, void* value_out) const override;
  int host_update(const void* key, const void* value, uint64_t flags) override;
  int get_next_key(const void* key, void* next_key) const override;
  bool owns_value_range(uint64_t addr, uint64_t len) const override;

  size_t size() const { return index_.size(); }

 private:
  // Slot of `key`, or SlotList::kNone.
  uint32_t find(const void* key) const { return index_.find(key); }
  // What a program's lookup returns for the slot found (kNone: nullptr). Inline, with
  // current_copy: every direct lookup ends here, and built out of line they were two more
  // calls per lookup.
  void* program_value(uint32_t slot) {
    if (slot == SlotList::kNone) return nullptr;
    if (lru_) recency_.move_to_back(slot);
    return slots_.value(slot, current_copy());
  }
  // DirectLookup for keys of kKeySize bytes (0: any size).
  template <uint32_t kKeySize>
  static void* lookup_sized(Map* map, const void* key);
  // Finds or makes the slot for an update; negative errno when the flags or capacity refuse.
  int64_t slot_for_update(const void* key, uint64_t flags);
  uint32_t current_copy() const {
    if (slots_.copies() == 1 || context_.current_cpu == nullptr) return 0;
    return *context_.current_cpu;
  }

  MapContext context_;
  bool lru_;
  ValueSlots slots_;
  ZeroedBuffer keys_;
  KeyIndex index_;  // over the keys in keys_
  SlotAllocator free_slots_;
  SlotList insertion_order_;
  SlotList recency_;  // LRU maps only: least recently used first
};

}  // namespace nicsim::ebpf
