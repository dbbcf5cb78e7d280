#include "ebpf/elf/map_table.h"

#include <fmt/format.h>

namespace nicsim::ebpf::elf {

size_t MapTable::add(MapDefinition definition) {
  definitions_.push_back(std::move(definition));
  return definitions_.size() - 1;
}

bool MapTable::place(size_t section, uint64_t offset, size_t index) {
  return declared_.emplace(std::make_pair(section, offset), index).second;
}

void MapTable::place_data(size_t section, size_t index) {
  data_.emplace(section, index);
}

void MapTable::defer_inner(size_t outer_index, MapDefinition inner) {
  inner_.emplace_back(outer_index, std::move(inner));
}

std::optional<size_t> MapTable::map_at(size_t section, uint64_t offset) const {
  auto it = declared_.find({section, offset});
  if (it == declared_.end()) return std::nullopt;
  return it->second;
}

std::optional<size_t> MapTable::data_map_for(size_t section) const {
  auto it = data_.find(section);
  if (it == data_.end()) return std::nullopt;
  return it->second;
}

bool MapTable::holds_declared_maps(size_t section) const {
  auto it = declared_.lower_bound({section, 0});
  return it != declared_.end() && it->first.first == section;
}

std::vector<MapDefinition> MapTable::finish() {
  for (auto& [outer, inner] : inner_) {
    definitions_[outer].inner_map_index = static_cast<int32_t>(definitions_.size());
    definitions_.push_back(std::move(inner));
  }
  inner_.clear();
  return std::move(definitions_);
}

void check_map_type(const ElfImage& image, const MapDefinition& definition) {
  const auto type = static_cast<uint32_t>(definition.type);
  if (type == 0)
    image.fail(
        fmt::format("map '{}': no map type (type 0 is BPF_MAP_TYPE_UNSPEC)", definition.name));
  if (type > kMaxKnownMapType)
    image.fail(fmt::format("map '{}': unknown map type {} (known types are 1..{})", definition.name,
                           type, kMaxKnownMapType));
}

}  // namespace nicsim::ebpf::elf
