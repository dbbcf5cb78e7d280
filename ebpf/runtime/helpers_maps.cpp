// bpf_map_lookup_elem, bpf_map_update_elem, bpf_map_delete_elem.

#include "ebpf/runtime/helper_functions.h"
#include "ebpf/runtime/helper_support.h"

namespace nicsim::ebpf {

using namespace helper_support;

uint64_t helper_map_lookup_elem(uint64_t map_ptr, uint64_t key, uint64_t, uint64_t, uint64_t,
                                Runtime* runtime) {
  Map* map = map_argument(*runtime, "map_lookup_elem", map_ptr);
  if (map == nullptr) return 0;
  if (!check_readable(*runtime, "map_lookup_elem", "key", key, map->def().key_size)) return 0;
  return reinterpret_cast<uint64_t>(map->lookup(host_pointer<const void>(key)));
}

uint64_t helper_map_lookup_elem_verified(uint64_t map_ptr, uint64_t key, uint64_t, uint64_t,
                                         uint64_t, Runtime*) {
  return reinterpret_cast<uint64_t>(
      host_pointer<Map>(map_ptr)->lookup(host_pointer<const void>(key)));
}

uint64_t helper_map_update_elem(uint64_t map_ptr, uint64_t key, uint64_t value, uint64_t flags,
                                uint64_t, Runtime* runtime) {
  Map* map = map_argument(*runtime, "map_update_elem", map_ptr);
  if (map == nullptr) return 0;
  if (!check_readable(*runtime, "map_update_elem", "key", key, map->def().key_size) ||
      !check_readable(*runtime, "map_update_elem", "value", value, map->def().value_size))
    return 0;
  return error_result(
      map->update(host_pointer<const void>(key), host_pointer<const void>(value), flags));
}

uint64_t helper_map_update_elem_verified(uint64_t map_ptr, uint64_t key, uint64_t value,
                                         uint64_t flags, uint64_t, Runtime*) {
  return error_result(host_pointer<Map>(map_ptr)->update(host_pointer<const void>(key),
                                                         host_pointer<const void>(value), flags));
}

uint64_t helper_map_delete_elem(uint64_t map_ptr, uint64_t key, uint64_t, uint64_t, uint64_t,
                                Runtime* runtime) {
  Map* map = map_argument(*runtime, "map_delete_elem", map_ptr);
  if (map == nullptr) return 0;
  if (!check_readable(*runtime, "map_delete_elem", "key", key, map->def().key_size)) return 0;
  return error_result(map->remove(host_pointer<const void>(key)));
}

uint64_t helper_map_delete_elem_verified(uint64_t map_ptr, uint64_t key, uint64_t, uint64_t,
                                         uint64_t, Runtime*) {
  return error_result(host_pointer<Map>(map_ptr)->remove(host_pointer<const void>(key)));
}

}  // namespace nicsim::ebpf
