#pragma once
// Arrays whose slots refer to other objects rather than holding data: prog_array (programs),
// perf_event_array (perf events) and array_of_maps (maps). In the kernel a slot holds what
// a file descriptor names; here it holds an index into the object's programs or maps (or,
// for perf events, the value given). Slots start empty. Programs cannot read or write the
// slots (the verifier only lets them pass the map to tail_call, perf_event_output or a
// map-in-map lookup), so owns_value_range is always false.

#include <optional>
#include <vector>

#include "ebpf/maps/map.h"

namespace nicsim::ebpf {

class FdArrayMap : public Map {
 public:
  explicit FdArrayMap(const MapDefinition& def);

  void* lookup(const void* key) override;
  int update(const void* key, const void* value, uint64_t flags) override;
  // Empties a slot (the syscall's delete): 0, -ENOENT when empty, -E2BIG when out of range.
  int remove(const void* key) override;
  int host_lookup(const void* key, void* value_out) const override;
  // The value is a u32 index (see above); only BPF_ANY is accepted, as in the kernel.
  int host_update(const void* key, const void* value, uint64_t flags) override;
  int get_next_key(const void* key, void* next_key) const override;
  bool owns_value_range(uint64_t, uint64_t) const override { return false; }

  // The index stored in slot `key`, if the slot is in range and set.
  std::optional<uint32_t> entry(uint32_t key) const;

 protected:
  // 0 when `value` may be stored, else the negative errno the kernel returns.
  virtual int check_value(uint32_t value) const = 0;

 private:
  std::vector<std::optional<uint32_t>> entries_;
};

}  // namespace nicsim::ebpf
