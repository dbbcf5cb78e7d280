#include "jit/nic/map_layout.h"

#include <fmt/format.h>

#include "firmware/isa/address_map.h"
#include "jit/nic/compile_error.h"

namespace nicsim::jit::nic {

using ebpf::MapType;

bool map_is_array_like(MapType type) {
  return type == MapType::Array || type == MapType::PercpuArray || type == MapType::Devmap ||
         type == MapType::Cpumap || type == MapType::Xskmap;
}

bool map_type_supported(MapType type) {
  switch (type) {
    case MapType::Array:
    case MapType::PercpuArray:
    case MapType::Hash:
    case MapType::PercpuHash:
    case MapType::LruHash:
    case MapType::LruPercpuHash:
    case MapType::LpmTrie:
    case MapType::Devmap:
    case MapType::DevmapHash:
    case MapType::Cpumap:
    case MapType::Xskmap:
      return true;
    default:
      return false;
  }
}

namespace {

uint64_t capacity_of(const ebpf::MapDefinition& def) {
  if (!map_type_supported(def.type)) return 0;
  if (map_is_array_like(def.type)) return def.max_entries;
  // Entries get a slot when created; deleted entries keep theirs until it is reused, so leave
  // room for the host implementation's spare elements.
  if (def.type == MapType::LpmTrie) return uint64_t{def.max_entries} + 16;
  return 2 * uint64_t{def.max_entries} + 16;
}

}  // namespace

std::vector<firmware::MapLayout> layout_maps(const std::vector<ebpf::MapDefinition>& maps,
                                             const std::string& program) {
  if (maps.size() > firmware::kMaxMaps)
    throw CompileError(fmt::format("program '{}': {} maps, the NIC holds at most {}", program,
                                   maps.size(), firmware::kMaxMaps));
  std::vector<firmware::MapLayout> layout;
  uint64_t next = firmware::kMapBase;
  for (const auto& def : maps) {
    firmware::MapLayout m;
    m.name = def.name;
    m.type = def.type;
    m.key_size = def.key_size;
    m.value_size = def.value_size;
    m.max_entries = def.max_entries;
    m.flags = def.flags;
    m.read_only = def.read_only();
    m.stride = static_cast<uint32_t>((uint64_t{def.value_size} + 7) & ~uint64_t{7});
    const uint64_t capacity = m.stride == 0 ? 0 : capacity_of(def);
    const uint64_t bytes = capacity * m.stride;
    next = (next + 4095) & ~uint64_t{4095};
    if (next + bytes > uint64_t{firmware::kMapBase} + firmware::kMapWindowSize)
      throw CompileError(
          fmt::format("program '{}': map '{}' does not fit the NIC's {} MiB map memory", program,
                      def.name, firmware::kMapWindowSize >> 20));
    m.base = static_cast<uint32_t>(next);
    m.capacity = static_cast<uint32_t>(capacity);
    next += bytes;
    layout.push_back(std::move(m));
  }
  return layout;
}

}  // namespace nicsim::jit::nic
