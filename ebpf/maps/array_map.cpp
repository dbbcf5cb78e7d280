#include "ebpf/maps/array_map.h"

#include <cerrno>
#include <cstring>

#include "ebpf/maps/map_flags.h"

namespace nicsim::ebpf {

ArrayMap::ArrayMap(const MapDefinition& def, const MapContext& context)
    : Map(def),
      context_(context),
      slots_(def.name, def.max_entries, def.value_size,
             def.type == MapType::PercpuArray ? context.num_cpus : 1) {
  for (uint32_t i = 0; i < def.max_entries; ++i)
    slots_.set_live(i, true);
}

uint32_t ArrayMap::current_copy() const {
  if (slots_.copies() == 1 || context_.current_cpu == nullptr) return 0;
  return *context_.current_cpu;
}

ArrayLayout ArrayMap::layout() {
  ArrayLayout layout;
  layout.base = reinterpret_cast<uint64_t>(slots_.value(0));
  layout.max_entries = def().max_entries;
  layout.slot_stride = slots_.slot_stride();
  layout.copy_stride = slots_.copy_stride();
  if (slots_.copies() > 1) layout.current_cpu = context_.current_cpu;
  return layout;
}

void* ArrayMap::lookup(const void* key) {
  const uint32_t index = read_u32_key(key);
  if (index >= def().max_entries) return nullptr;
  return slots_.value(index, current_copy());
}

int ArrayMap::check_update(uint32_t index, uint64_t flags) const {
  // The kernel's order of checks. BPF_F_LOCK needs a bpf_spin_lock in the value, which
  // nicsim's values never declare.
  if ((flags & ~kMapUpdateLock) > kMapUpdateExist) return -EINVAL;
  if (index >= def().max_entries) return -E2BIG;
  if (flags & kMapUpdateNoExist) return -EEXIST;
  if (flags & kMapUpdateLock) return -EINVAL;
  return 0;
}

int ArrayMap::update(const void* key, const void* value, uint64_t flags) {
  const uint32_t index = read_u32_key(key);
  if (const int error = check_update(index, flags)) return error;
  // A program only ever writes its own CPU's copy of a per-CPU array.
  slots_.write(index, value, current_copy());
  return 0;
}

int ArrayMap::remove(const void*) {
  return -EINVAL;
}

int ArrayMap::host_lookup(const void* key, void* value_out) const {
  const uint32_t index = read_u32_key(key);
  if (index >= def().max_entries) return -ENOENT;
  slots_.read_host(index, value_out);
  return 0;
}

int ArrayMap::host_update(const void* key, const void* value, uint64_t flags) {
  const uint32_t index = read_u32_key(key);
  if (const int error = check_update(index, flags)) return error;
  slots_.write_host(index, value);
  return 0;
}

int ArrayMap::get_next_key(const void* key, void* next_key) const {
  const uint32_t index = key == nullptr ? UINT32_MAX : read_u32_key(key);
  uint32_t next = 0;
  if (index < def().max_entries) {
    if (index == def().max_entries - 1) return -ENOENT;
    next = index + 1;
  }
  std::memcpy(next_key, &next, sizeof next);
  return 0;
}

bool ArrayMap::owns_value_range(uint64_t addr, uint64_t len) const {
  return slots_.owns_range(addr, len);
}

}  // namespace nicsim::ebpf
