#include "ebpf/maps/fd_array_map.h"

#include <cerrno>
#include <cstring>

#include "ebpf/maps/array_map.h"
#include "ebpf/maps/map_flags.h"

namespace nicsim::ebpf {

FdArrayMap::FdArrayMap(const MapDefinition& def) : Map(def), entries_(def.max_entries) {}

void* FdArrayMap::lookup(const void*) {
  return nullptr;
}

int FdArrayMap::update(const void*, const void*, uint64_t) {
  return -kErrNotSupp;
}

int FdArrayMap::remove(const void* key) {
  const uint32_t index = read_u32_key(key);
  if (index >= entries_.size()) return -E2BIG;
  if (!entries_[index]) return -ENOENT;
  entries_[index].reset();
  return 0;
}

int FdArrayMap::host_lookup(const void* key, void* value_out) const {
  const std::optional<uint32_t> value = entry(read_u32_key(key));
  if (!value) return -ENOENT;
  std::memcpy(value_out, &*value, sizeof *value);
  return 0;
}

int FdArrayMap::host_update(const void* key, const void* value, uint64_t flags) {
  if (flags != kMapUpdateAny) return -EINVAL;
  const uint32_t index = read_u32_key(key);
  if (index >= entries_.size()) return -E2BIG;
  const uint32_t stored = read_u32_key(value);
  if (const int error = check_value(stored)) return error;
  entries_[index] = stored;
  return 0;
}

int FdArrayMap::get_next_key(const void* key, void* next_key) const {
  const uint32_t index = key == nullptr ? UINT32_MAX : read_u32_key(key);
  uint32_t next = 0;
  if (index < entries_.size()) {
    if (index + 1 == entries_.size()) return -ENOENT;
    next = index + 1;
  }
  std::memcpy(next_key, &next, sizeof next);
  return 0;
}

std::optional<uint32_t> FdArrayMap::entry(uint32_t key) const {
  if (key >= entries_.size()) return std::nullopt;
  return entries_[key];
}

}  // namespace nicsim::ebpf
