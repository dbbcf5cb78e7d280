// Legacy map sections ("maps" and "maps/*"): an array of fixed-size C structs, one per map
// symbol. Two layouts circulate beyond the common bpf_map_def prefix (type, key_size,
// value_size, max_entries, map_flags):
//  - bpf_load_map_def (Linux samples' bpf_load.h, 28 bytes): inner_map_idx at offset 20, an
//    index into the object's legacy maps in section and offset order;
//  - bpf_elf_map (iproute2 / Cilium, 36 bytes): id at 20, pinning at 24, inner_id at 28 (the
//    id of the inner map template), inner_idx at 32.
// The definition size is the section size divided by the number of map symbols, as libbpf's
// legacy code and iproute2 compute it.

#include <elf.h>
#include <fmt/format.h>

#include <algorithm>

#include "ebpf/elf/bytes.h"
#include "ebpf/elf/map_table.h"

namespace nicsim::ebpf::elf {

namespace {

constexpr size_t kMinimumDefinitionSize = 16;  // type, key_size, value_size, max_entries
constexpr size_t kElfMapLayoutSize = 32;       // from here on: bpf_elf_map's id/inner_id

bool is_legacy_maps_section(const Section& section) {
  return !section.executable() && section.type == SHT_PROGBITS &&
         (section.name == "maps" || section.name.starts_with("maps/"));
}

bool is_map_in_map(MapType type) {
  return type == MapType::ArrayOfMaps || type == MapType::HashOfMaps;
}

struct LegacyMap {
  size_t index = 0;  // in the MapTable
  uint32_t id = 0;
  uint32_t inner_reference = 0;  // inner_map_idx or inner_id, depending on the layout
  bool elf_map_layout = false;
};

std::vector<const Symbol*> map_symbols(const ElfImage& image, const Section& section) {
  std::vector<const Symbol*> symbols;
  for (const auto& symbol : image.symbols()) {
    if (symbol.shndx != section.index || symbol.is_section() || symbol.type == STT_FILE) continue;
    if (symbol.name.empty()) continue;
    symbols.push_back(&symbol);
  }
  std::stable_sort(symbols.begin(), symbols.end(),
                   [](const Symbol* a, const Symbol* b) { return a->value < b->value; });
  return symbols;
}

void read_section(const ElfImage& image, const Section& section, MapTable& table,
                  std::vector<LegacyMap>& legacy) {
  const auto symbols = map_symbols(image, section);
  if (symbols.empty()) return;
  if (section.size % symbols.size() != 0)
    image.fail(fmt::format("maps section '{}': size {} is not a multiple of its {} map symbols",
                           section.name, section.size, symbols.size()));
  const size_t definition_size = section.size / symbols.size();
  if (definition_size < kMinimumDefinitionSize)
    image.fail(
        fmt::format("maps section '{}': map definitions of {} bytes are too small "
                    "(at least {} needed)",
                    section.name, definition_size, kMinimumDefinitionSize));

  for (const Symbol* symbol : symbols) {
    if (!fits(symbol->value, definition_size, section.size))
      image.fail(
          fmt::format("map '{}': definition at offset {} (+{} bytes) is outside section "
                      "'{}' ({} bytes)",
                      symbol->name, symbol->value, definition_size, section.name, section.size));
    const auto bytes = section.bytes.subspan(symbol->value, definition_size);
    auto field = [&](size_t offset) {
      return offset + 4 <= bytes.size() ? load_le32(bytes, offset) : 0;
    };

    MapDefinition definition;
    definition.name = symbol->name;
    definition.type = static_cast<MapType>(field(0));
    definition.key_size = field(4);
    definition.value_size = field(8);
    definition.max_entries = field(12);
    definition.flags = field(16);
    check_map_type(image, definition);
    // bpf_load.c created map-in-maps without a value size: their values are map fds.
    if (is_map_in_map(definition.type) && definition.value_size == 0) definition.value_size = 4;

    LegacyMap entry;
    entry.elf_map_layout = definition_size >= kElfMapLayoutSize;
    if (entry.elf_map_layout) {
      entry.id = field(20);
      definition.pinning = field(24);
      entry.inner_reference = field(28);
    } else {
      entry.inner_reference = field(20);
    }
    entry.index = table.add(std::move(definition));
    if (!table.place(section.index, symbol->value, entry.index))
      image.fail(fmt::format("map '{}': another map is already defined at offset {} of '{}'",
                             symbol->name, symbol->value, section.name));
    legacy.push_back(entry);
  }
}

void link_inner_maps(const ElfImage& image, MapTable& table, const std::vector<LegacyMap>& legacy) {
  for (size_t i = 0; i < legacy.size(); ++i) {
    MapDefinition& outer = table.at(legacy[i].index);
    if (!is_map_in_map(outer.type)) continue;
    if (legacy[i].elf_map_layout) {
      if (legacy[i].inner_reference == 0) continue;  // no template declared
      auto it = std::find_if(legacy.begin(), legacy.end(), [&](const LegacyMap& m) {
        return m.id == legacy[i].inner_reference && &m != &legacy[i];
      });
      if (it == legacy.end())
        image.fail(fmt::format("map '{}': no map has the inner map id {}", outer.name,
                               legacy[i].inner_reference));
      outer.inner_map_index = static_cast<int32_t>(it->index);
    } else {
      const uint32_t position = legacy[i].inner_reference;
      if (position >= legacy.size() || position == i)
        image.fail(
            fmt::format("map '{}': inner map index {} does not name another of the {} "
                        "legacy maps",
                        outer.name, position, legacy.size()));
      outer.inner_map_index = static_cast<int32_t>(legacy[position].index);
    }
  }
}

}  // namespace

void collect_legacy_maps(const ElfImage& image, MapTable& table) {
  std::vector<LegacyMap> legacy;
  for (const auto& section : image.sections()) {
    if (is_legacy_maps_section(section)) read_section(image, section, table, legacy);
  }
  link_inner_maps(image, table, legacy);
}

}  // namespace nicsim::ebpf::elf
