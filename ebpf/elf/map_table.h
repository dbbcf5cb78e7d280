#pragma once
// The maps of one object while it is being loaded: their definitions in final index order and
// where each one lives in the ELF file, so that relocations can be turned into map indices.
// Three collectors fill it: BTF-defined maps (.maps), legacy map sections (maps, maps/*) and
// global data sections (.data*, .rodata*, .bss*).

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "ebpf/elf/elf_image.h"
#include "ebpf/program/program.h"

namespace nicsim::ebpf::elf {

class MapTable {
 public:
  size_t add(MapDefinition definition);
  // A declared map whose definition starts at `offset` in section `section`; false when
  // another map is already there.
  [[nodiscard]] bool place(size_t section, uint64_t offset, size_t index);
  // The single-entry array map standing for a global data section.
  void place_data(size_t section, size_t index);
  // A map-in-map template; added after every other map by finish().
  void defer_inner(size_t outer_index, MapDefinition inner);

  std::optional<size_t> map_at(size_t section, uint64_t offset) const;
  std::optional<size_t> data_map_for(size_t section) const;
  bool holds_declared_maps(size_t section) const;

  size_t size() const { return definitions_.size(); }
  MapDefinition& at(size_t index) { return definitions_.at(index); }
  const MapDefinition& at(size_t index) const { return definitions_.at(index); }

  // Final list: every map in index order, inner map templates last.
  std::vector<MapDefinition> finish();

 private:
  std::vector<MapDefinition> definitions_;
  std::map<std::pair<size_t, uint64_t>, size_t> declared_;
  std::map<size_t, size_t> data_;
  std::vector<std::pair<size_t, MapDefinition>> inner_;
};

// Throws ElfError naming the map when its type is not one the kernel defines.
void check_map_type(const ElfImage& image, const MapDefinition& definition);

void collect_btf_maps(const ElfImage& image, MapTable& table);
void collect_legacy_maps(const ElfImage& image, MapTable& table);
void collect_data_maps(const ElfImage& image, MapTable& table);

}  // namespace nicsim::ebpf::elf
