#pragma once
// The targets of bpf_redirect_map: BPF_MAP_TYPE_DEVMAP and DEVMAP_HASH (value: egress
// ifindex, or struct bpf_devmap_val {ifindex, prog fd} when value_size is 8), CPUMAP (key: a
// CPU; value: queue size, or struct bpf_cpumap_val {qsize, prog fd}) and XSKMAP (key: an RX
// queue; value: an AF_XDP socket fd, kept but not interpreted). Update and delete follow each
// kernel type's rules; an ifindex or qsize of 0 empties a slot, as in the kernel.
//
// Programs attached to devmap/cpumap entries (a prog fd > 0) are not supported: such an
// update fails with -EINVAL. Program lookups return the stored value (read-only, as the
// kernel marks these maps BPF_F_RDONLY_PROG) for devmaps and xskmaps, and nullptr for cpumaps
// (the verifier forbids them). Unlike the kernel, host lookups of an xskmap return the
// stored value, so that its contents can be dumped.

#include <cstring>
#include <optional>
#include <unordered_map>
#include <vector>

#include "ebpf/maps/map.h"
#include "ebpf/maps/slot_list.h"
#include "ebpf/maps/value_slots.h"

namespace nicsim::ebpf {

class RedirectMap : public Map {
 public:
  RedirectMap(const MapDefinition& def, const MapContext& context);

  void* lookup(const void* key) override;
  int update(const void* key, const void* value, uint64_t flags) override;
  int remove(const void* key) override;
  int host_lookup(const void* key, void* value_out) const override;
  int host_update(const void* key, const void* value, uint64_t flags) override;
  int get_next_key(const void* key, void* next_key) const override;
  bool owns_value_range(uint64_t addr, uint64_t len) const override;

  // The first u32 of the value under `key` (devmap: egress ifindex; cpumap: queue size;
  // xskmap: socket), or nullopt when the slot is empty: redirect_map then falls back.
  // Inline: every bpf_redirect_map calls it, and built out of line the optional makes a
  // round trip through memory that the store buffer cannot forward.
  std::optional<uint32_t> target(uint32_t key) const {
    const int64_t slot = find(key);
    if (slot < 0) return std::nullopt;
    uint32_t value;
    std::memcpy(&value, slots_.value(static_cast<uint32_t>(slot)), sizeof value);
    return value;
  }

 private:
  bool hashed() const { return def().type == MapType::DevmapHash; }
  // Slot holding `key`, or -1 (array kinds: the key itself when in range and live). Inline
  // for the array kinds, with target(): out of line, bpf_redirect_map's verified variant
  // made two calls and saved six registers around them.
  int64_t find(uint32_t key) const {
    if (hashed()) return find_hashed(key);
    return key < def().max_entries && slots_.live(key) ? int64_t{key} : int64_t{-1};
  }
  int64_t find_hashed(uint32_t key) const;
  int update_array_slot(uint32_t key, const uint8_t* value, uint64_t flags);
  int update_hash_slot(uint32_t key, const uint8_t* value, uint64_t flags);
  void clear_slot(uint32_t slot);

  MapContext context_;
  ValueSlots slots_;
  // DEVMAP_HASH only.
  std::unordered_map<uint32_t, uint32_t> index_;
  std::vector<uint32_t> keys_;
  SlotAllocator free_slots_;
  SlotList insertion_order_;
};

}  // namespace nicsim::ebpf
