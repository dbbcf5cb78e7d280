// Global data sections become single-entry array maps whose one value is the whole section,
// as libbpf does: .data* (writable), .rodata* (read-only to programs), .bss* (zeroed).

#include <elf.h>
#include <fmt/format.h>

#include <optional>

#include "ebpf/elf/map_table.h"

namespace nicsim::ebpf::elf {

namespace {

// Map flags libbpf gives global data maps (linux/bpf.h).
constexpr uint32_t kFlagReadOnlyProgram = 1u << 7;  // BPF_F_RDONLY_PROG
constexpr uint32_t kFlagMmapable = 1u << 10;        // BPF_F_MMAPABLE
// The kernel refuses array values above KMALLOC_MAX_SIZE (4 MiB with 4 KiB pages); checking it
// here also keeps a corrupt .bss size from allocating gigabytes.
constexpr uint64_t kMaxValueSize = uint64_t{1} << 22;

bool has_prefix(const std::string& name, std::string_view base) {
  return name == base ||
         (name.starts_with(base) && name.size() > base.size() && name[base.size()] == '.');
}

std::optional<MapOrigin> data_origin(const Section& section) {
  if (section.executable() || (section.type != SHT_PROGBITS && section.type != SHT_NOBITS))
    return std::nullopt;
  if (has_prefix(section.name, ".rodata")) return MapOrigin::Rodata;
  if (has_prefix(section.name, ".data")) return MapOrigin::Data;
  if (has_prefix(section.name, ".bss")) return MapOrigin::Bss;
  return std::nullopt;
}

}  // namespace

void collect_data_maps(const ElfImage& image, MapTable& table) {
  for (const auto& section : image.sections()) {
    const auto origin = data_origin(section);
    if (!origin || section.size == 0) continue;
    if (section.size > kMaxValueSize)
      image.fail(
          fmt::format("data section '{}': {} bytes exceeds the kernel's limit of {} bytes "
                      "for a map value",
                      section.name, section.size, kMaxValueSize));
    MapDefinition definition;
    definition.name = section.name;
    definition.type = MapType::Array;
    definition.key_size = 4;
    definition.value_size = static_cast<uint32_t>(section.size);
    definition.max_entries = 1;
    definition.origin = *origin;
    definition.flags = kFlagMmapable | (*origin == MapOrigin::Rodata ? kFlagReadOnlyProgram : 0);
    if (section.type == SHT_NOBITS) {
      definition.initial_value.assign(section.size, 0);
    } else {
      definition.initial_value.assign(section.bytes.begin(), section.bytes.end());
    }
    table.place_data(section.index, table.add(std::move(definition)));
  }
}

}  // namespace nicsim::ebpf::elf
