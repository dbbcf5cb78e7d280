#pragma once
// BPF_MAP_TYPE_ARRAY and BPF_MAP_TYPE_PERCPU_ARRAY: max_entries zero-initialised values
// indexed by a u32 key; entries always exist and cannot be deleted.

#include <cstring>

#include "ebpf/maps/map.h"
#include "ebpf/maps/value_slots.h"

namespace nicsim::ebpf {

// Where a program's lookup finds a value, for code that computes the address itself instead
// of calling lookup() (a JIT's inline lookup, as the kernel's map_gen_lookup): the value of
// index i < max_entries is at base + i * slot_stride + cpu * copy_stride, where cpu is
// *current_cpu, or 0 when current_cpu is nullptr (one copy). The storage never moves.
struct ArrayLayout {
  uint64_t base = 0;
  uint32_t max_entries = 0;
  uint64_t slot_stride = 0;
  uint64_t copy_stride = 0;
  const uint32_t* current_cpu = nullptr;
};

class ArrayMap : public Map {
 public:
  ArrayMap(const MapDefinition& def, const MapContext& context);

  ArrayLayout layout();

  void* lookup(const void* key) override;
  int update(const void* key, const void* value, uint64_t flags) override;
  int remove(const void* key) override;
  size_t host_value_size() const override { return slots_.host_size(); }
  int host_lookup(const void* key, void* value_out) const override;
  int host_update(const void* key, const void* value, uint64_t flags) override;
  int get_next_key(const void* key, void* next_key) const override;
  bool owns_value_range(uint64_t addr, uint64_t len) const override;

 private:
  int check_update(uint32_t index, uint64_t flags) const;
  uint32_t current_copy() const;

  MapContext context_;
  ValueSlots slots_;
};

// Reads a u32 key from possibly unaligned program memory.
inline uint32_t read_u32_key(const void* key) {
  uint32_t index;
  std::memcpy(&index, key, sizeof index);
  return index;
}

}  // namespace nicsim::ebpf
