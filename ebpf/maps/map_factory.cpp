#include <fmt/format.h>

#include "ebpf/maps/map.h"
#include "ebpf/util/error.h"

namespace nicsim::ebpf {

// Placeholder until the map implementations land: every type is refused with a clear error.
std::unique_ptr<Map> create_map(const MapDefinition& def, const MapContext&) {
  throw Error(fmt::format("map '{}': type {} is not supported by nicsim's runtime", def.name,
                          map_type_name(def.type)));
}

}  // namespace nicsim::ebpf
