#pragma once
// Where each map's values live in the NIC's map memory (docs/nic-isa.md section 10).

#include <string>
#include <vector>

#include "ebpf/program/program.h"
#include "firmware/image/image.h"

namespace nicsim::jit::nic {

// Whether the map engine serves maps of this type (lookups, updates, deletes, redirects).
bool map_type_supported(ebpf::MapType type);
// Array-like maps put key k in slot k.
bool map_is_array_like(ebpf::MapType type);

// One region per map of the object, in order. Maps the engine does not serve get an empty
// region (the program may not use them). Throws CompileError when the regions do not fit.
std::vector<firmware::MapLayout> layout_maps(const std::vector<ebpf::MapDefinition>& maps,
                                             const std::string& program);

}  // namespace nicsim::jit::nic
