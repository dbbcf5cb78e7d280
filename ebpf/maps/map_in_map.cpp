#include "ebpf/maps/map_in_map.h"

#include <cerrno>
#include <cstring>

#include "ebpf/maps/array_map.h"
#include "ebpf/maps/hash_map.h"
#include "ebpf/maps/map_flags.h"

namespace nicsim::ebpf {

namespace {

bool is_map_in_map(MapType type) {
  return type == MapType::ArrayOfMaps || type == MapType::HashOfMaps;
}

bool is_plain_array(MapType type) {
  return type == MapType::Array || type == MapType::PercpuArray;
}

Map* resolve(const MapLinks& links, uint32_t index) {
  return links.map_at ? links.map_at(index) : nullptr;
}

}  // namespace

int check_inner_map(const MapDefinition& outer, const MapLinks& links, uint32_t index) {
  const Map* inner = resolve(links, index);
  if (inner == nullptr) return -EBADF;
  const MapDefinition& def = inner->def();
  if (is_map_in_map(def.type)) return -EINVAL;
  if (outer.inner_map_index < 0) return 0;
  const Map* templ = resolve(links, static_cast<uint32_t>(outer.inner_map_index));
  if (templ == nullptr) return 0;
  const MapDefinition& want = templ->def();
  if (def.type != want.type || def.key_size != want.key_size || def.value_size != want.value_size ||
      def.flags != want.flags)
    return -EINVAL;
  if (is_plain_array(def.type) && !(want.flags & kMapFlagInnerMap) &&
      def.max_entries != want.max_entries)
    return -EINVAL;
  return 0;
}

void* ArrayOfMapsMap::lookup(const void* key) {
  const std::optional<uint32_t> index = entry(read_u32_key(key));
  return index ? resolve(links_, *index) : nullptr;
}

int ArrayOfMapsMap::check_value(uint32_t value) const {
  return check_inner_map(def(), links_, value);
}

HashOfMapsMap::HashOfMapsMap(const MapDefinition& def, const MapLinks& links)
    : Map(def), links_(links) {
  MapDefinition storage = def;
  storage.type = MapType::Hash;
  storage.value_size = sizeof(uint32_t);
  indices_ = std::make_unique<HashMap>(storage, MapContext{});
}

HashOfMapsMap::~HashOfMapsMap() = default;

void* HashOfMapsMap::lookup(const void* key) {
  uint32_t index;
  if (indices_->host_lookup(key, &index) != 0) return nullptr;
  return resolve(links_, index);
}

int HashOfMapsMap::update(const void*, const void*, uint64_t) {
  return -kErrNotSupp;
}

int HashOfMapsMap::remove(const void* key) {
  return indices_->remove(key);
}

int HashOfMapsMap::host_lookup(const void* key, void* value_out) const {
  return indices_->host_lookup(key, value_out);
}

int HashOfMapsMap::host_update(const void* key, const void* value, uint64_t flags) {
  if (flags > kMapUpdateExist) return -EINVAL;
  if (const int error = check_inner_map(def(), links_, read_u32_key(value))) return error;
  return indices_->host_update(key, value, flags);
}

int HashOfMapsMap::get_next_key(const void* key, void* next_key) const {
  return indices_->get_next_key(key, next_key);
}

}  // namespace nicsim::ebpf
