#pragma once
// BPF_MAP_TYPE_ARRAY_OF_MAPS and BPF_MAP_TYPE_HASH_OF_MAPS. Values are maps of the same
// object, stored by index (host_update takes and host_lookup returns a u32 map index). A
// program lookup returns the inner map's address, which is what `lddw rX, map` would load
// for it (Runtime::map_pointer), so the result can be passed on to map helpers.
//
// As the kernel does, an inner map must match the outer map's inner-map template (type, key
// and value sizes, flags, and max_entries for arrays unless the template has
// BPF_F_INNER_MAP) and cannot itself be a map-in-map. Without a template (inner_map_index
// -1, e.g. legacy map definitions) any map that is not a map-in-map is accepted.

#include <memory>

#include "ebpf/maps/fd_array_map.h"

namespace nicsim::ebpf {

class HashMap;

// 0 when map `index` may be stored in `outer`, else the negative errno the kernel returns.
int check_inner_map(const MapDefinition& outer, const MapLinks& links, uint32_t index);

class ArrayOfMapsMap : public FdArrayMap {
 public:
  ArrayOfMapsMap(const MapDefinition& def, const MapLinks& links)
      : FdArrayMap(def), links_(links) {}

  void* lookup(const void* key) override;

 protected:
  int check_value(uint32_t value) const override;

 private:
  MapLinks links_;
};

class HashOfMapsMap : public Map {
 public:
  HashOfMapsMap(const MapDefinition& def, const MapLinks& links);
  ~HashOfMapsMap() override;

  void* lookup(const void* key) override;
  int update(const void* key, const void* value, uint64_t flags) override;
  int remove(const void* key) override;
  int host_lookup(const void* key, void* value_out) const override;
  int host_update(const void* key, const void* value, uint64_t flags) override;
  int get_next_key(const void* key, void* next_key) const override;
  bool owns_value_range(uint64_t, uint64_t) const override { return false; }

 private:
  MapLinks links_;
  std::unique_ptr<HashMap> indices_;  // key -> u32 map index
};

}  // namespace nicsim::ebpf
