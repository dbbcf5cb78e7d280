#pragma once
// The NIC's map memory (docs/nic-isa.md section 10): every map of the image owns a region of
// value slots at NIC addresses. The values themselves are the runtime's (ebpf/maps supplies
// the functional behaviour); this class keeps the two views consistent: array maps put key k
// in slot k, other maps give an entry a slot the first time the map engine returns it and keep
// it while the entry lives.

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "ebpf/runtime/runtime.h"
#include "firmware/image/image.h"
#include "firmware/isa/address_map.h"
#include "model/memory/constant_divisor.h"

namespace nicsim::model {

class MapMemory {
 public:
  // Throws nicsim::Error when the image's map layout does not describe the runtime's maps.
  MapMemory(const firmware::Image& image, ebpf::Runtime& runtime);

  // Host bytes of [address, address + size), or nullptr unless the range lies inside one live
  // value (and the map is writable when `write`).
  uint8_t* translate(uint32_t address, uint32_t size, bool write);

  // The NIC address of a value that map `index` returned (its host pointer) for `key`.
  // Throws nicsim::Error when the map's region has no free slot left.
  uint32_t nic_address(uint32_t index, const void* host_value, const void* key);

  // The runtime's map pointer (what its helpers take as r1) of map `index`.
  uint64_t host_map_pointer(uint32_t index) const {
    return reinterpret_cast<uint64_t>(regions_[index].map);
  }
  // Index of the map whose handle is `handle`, or -1.
  int map_of_handle(uint64_t handle) const {
    if (handle < firmware::kMapHandleBase) return -1;
    const uint64_t relative = handle - firmware::kMapHandleBase;
    if (relative % firmware::kMapHandleStride != 0) return -1;
    const uint64_t index = relative / firmware::kMapHandleStride;
    return index < regions_.size() ? static_cast<int>(index) : -1;
  }
  const firmware::MapLayout& layout(uint32_t index) const { return regions_[index].layout; }
  size_t map_count() const { return regions_.size(); }

 private:
  struct Region {
    firmware::MapLayout layout;
    ebpf::Map* map = nullptr;
    bool array_like = false;
    ConstantDivisor stride;                             // layout.stride
    uint64_t bytes = 0;                                 // layout.stride * layout.capacity
    std::vector<uint8_t*> slot_host;                    // slot -> host value
    std::unordered_map<const void*, uint32_t> slot_of;  // host value -> slot (non-array)
    uint32_t next_slot = 0;
  };
  Region* region_at(uint32_t address);
  void index_pages();
  void flush_if_cpu_changed();

  ebpf::Runtime& runtime_;
  std::vector<Region> regions_;
  std::vector<uint32_t> by_base_;  // region indices sorted by base address
  // Per 4 KiB page of the map window from its base up to the end of the last region: the
  // index of the only region in the page, kNoRegion, or kSearch when regions share the page
  // (the compiler aligns regions to pages, so only images laid out otherwise have those).
  static constexpr uint32_t kPageBits = 12;
  static constexpr uint16_t kNoRegion = UINT16_MAX;
  static constexpr uint16_t kSearch = UINT16_MAX - 1;
  std::vector<uint16_t> page_region_;
  uint32_t cached_cpu_;
};

}  // namespace nicsim::model
