#include "model/memory/map_memory.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "ebpf/util/error.h"
#include "firmware/isa/address_map.h"

namespace nicsim::model {

namespace {

bool is_array_like(ebpf::MapType type) {
  return type == ebpf::MapType::Array || type == ebpf::MapType::PercpuArray;
}

}  // namespace

MapMemory::MapMemory(const firmware::Image& image, ebpf::Runtime& runtime)
    : runtime_(runtime), cached_cpu_(runtime.cpu()) {
  if (image.maps.size() != runtime.map_count())
    throw Error(fmt::format("image '{}' lays out {} maps, the runtime has {}", image.program_name,
                            image.maps.size(), runtime.map_count()));
  regions_.resize(image.maps.size());
  for (size_t i = 0; i < image.maps.size(); ++i) {
    const firmware::MapLayout& layout = image.maps[i];
    const ebpf::MapDefinition& def = runtime.map(i).def();
    if (layout.type != def.type || layout.key_size != def.key_size ||
        layout.value_size != def.value_size || layout.max_entries != def.max_entries)
      throw Error(fmt::format("image '{}': map {} ('{}') does not match the runtime's map '{}'",
                              image.program_name, i, layout.name, def.name));
    Region& region = regions_[i];
    region.layout = layout;
    region.map = &runtime.map(i);
    region.array_like = is_array_like(layout.type);
    region.stride = ConstantDivisor(layout.stride);
    region.bytes = uint64_t{layout.stride} * layout.capacity;
    region.slot_host.assign(layout.capacity, nullptr);
    by_base_.push_back(static_cast<uint32_t>(i));
  }
  std::sort(by_base_.begin(), by_base_.end(), [this](uint32_t a, uint32_t b) {
    return regions_[a].layout.base < regions_[b].layout.base;
  });
  index_pages();
}

void MapMemory::index_pages() {
  static_assert(firmware::kMaxMaps < kSearch);
  for (size_t i = 0; i < regions_.size(); ++i) {
    const Region& region = regions_[i];
    if (region.bytes == 0 || region.layout.base < firmware::kMapBase) continue;
    const uint64_t offset = region.layout.base - firmware::kMapBase;
    const uint64_t first = offset >> kPageBits;
    const uint64_t last = (offset + region.bytes - 1) >> kPageBits;
    if (page_region_.size() <= last) page_region_.resize(last + 1, kNoRegion);
    for (uint64_t page = first; page <= last; ++page)
      page_region_[page] = page_region_[page] == kNoRegion ? static_cast<uint16_t>(i) : kSearch;
  }
}

void MapMemory::flush_if_cpu_changed() {
  if (runtime_.cpu() == cached_cpu_) return;
  // Per-CPU maps answer with the current CPU's copy: forget the old copies' addresses.
  cached_cpu_ = runtime_.cpu();
  for (Region& region : regions_) {
    std::fill(region.slot_host.begin(), region.slot_host.end(), nullptr);
    region.slot_of.clear();
    region.next_slot = 0;
  }
}

MapMemory::Region* MapMemory::region_at(uint32_t address) {
  const uint64_t page = (uint64_t{address} - firmware::kMapBase) >> kPageBits;
  if (address < firmware::kMapBase || page >= page_region_.size()) return nullptr;
  uint16_t index = page_region_[page];
  if (index == kSearch) [[unlikely]] {
    const auto it =
        std::upper_bound(by_base_.begin(), by_base_.end(), address,
                         [this](uint32_t a, uint32_t i) { return a < regions_[i].layout.base; });
    if (it == by_base_.begin()) return nullptr;
    index = static_cast<uint16_t>(*(it - 1));
  }
  if (index == kNoRegion) return nullptr;
  Region& region = regions_[index];
  return uint64_t{address} - region.layout.base < region.bytes ? &region : nullptr;
}

uint8_t* MapMemory::translate(uint32_t address, uint32_t size, bool write) {
  flush_if_cpu_changed();
  Region* region = region_at(address);
  if (region == nullptr || (write && region->layout.read_only)) return nullptr;
  const uint32_t relative = address - region->layout.base;
  const uint32_t slot = region->stride.quotient(relative);
  const uint32_t offset = region->stride.remainder(relative);
  if (uint64_t{offset} + size > region->layout.value_size) return nullptr;
  uint8_t* host = region->slot_host[slot];
  if (host == nullptr && region->array_like && slot < region->layout.max_entries) {
    const uint32_t key = slot;
    host = static_cast<uint8_t*>(region->map->lookup(&key));
    region->slot_host[slot] = host;
  }
  if (host == nullptr) return nullptr;
  // The entry may have been deleted since its address was handed out (an array's elements
  // live as long as the map, and the range was checked against the value size above).
  if (!region->array_like &&
      !region->map->owns_value_range(reinterpret_cast<uint64_t>(host + offset), size))
    return nullptr;
  return host + offset;
}

uint32_t MapMemory::nic_address(uint32_t index, const void* host_value, const void* key) {
  flush_if_cpu_changed();
  Region& region = regions_.at(index);
  const firmware::MapLayout& layout = region.layout;
  if (region.array_like) {
    uint32_t slot;
    std::memcpy(&slot, key, sizeof slot);
    region.slot_host.at(slot) = static_cast<uint8_t*>(const_cast<void*>(host_value));
    return layout.base + slot * layout.stride;
  }
  if (auto it = region.slot_of.find(host_value); it != region.slot_of.end())
    return layout.base + it->second * layout.stride;
  uint32_t slot = region.next_slot;
  if (slot >= layout.capacity) {
    // Reuse the slot of an entry that no longer lives.
    slot = layout.capacity;
    for (uint32_t s = 0; s < layout.capacity; ++s) {
      uint8_t* old = region.slot_host[s];
      if (old == nullptr ||
          !region.map->owns_value_range(reinterpret_cast<uint64_t>(old), layout.value_size)) {
        if (old != nullptr) region.slot_of.erase(old);
        slot = s;
        break;
      }
    }
    if (slot == layout.capacity)
      throw Error(
          fmt::format("map '{}': all {} NIC value slots are in use", layout.name, layout.capacity));
  } else {
    ++region.next_slot;
  }
  region.slot_host[slot] = static_cast<uint8_t*>(const_cast<void*>(host_value));
  region.slot_of[host_value] = slot;
  return layout.base + slot * layout.stride;
}

}  // namespace nicsim::model
