// MapMemory's address resolution: which map region and value an address of the map window
// names, both for the compiler's page-aligned layout (one region per page, found by the page
// index) and for regions that share a page (found by search), and the bounds around them.

#include "model/memory/map_memory.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>

#include "ebpf/program/program.h"
#include "ebpf/runtime/runtime.h"
#include "firmware/image/image.h"
#include "firmware/isa/address_map.h"

namespace nicsim::model {
namespace {

constexpr uint32_t kEntries = 4;
constexpr uint32_t kValueSize = 12;  // stride 16: the region's last value ends 4 bytes early
constexpr uint32_t kStride = 16;

ebpf::MapDefinition definition(std::string name, ebpf::MapType type) {
  ebpf::MapDefinition def;
  def.name = std::move(name);
  def.type = type;
  def.key_size = 4;
  def.value_size = kValueSize;
  def.max_entries = kEntries;
  return def;
}

firmware::MapLayout layout_of(const ebpf::MapDefinition& def, uint32_t base) {
  firmware::MapLayout layout;
  layout.name = def.name;
  layout.type = def.type;
  layout.key_size = def.key_size;
  layout.value_size = def.value_size;
  layout.max_entries = def.max_entries;
  layout.base = base;
  layout.stride = kStride;
  layout.capacity = kEntries;
  return layout;
}

// An array map and a hash map, the hash's region at `hash_base`.
struct TwoMaps {
  explicit TwoMaps(uint32_t hash_base) {
    object.maps = {definition("array", ebpf::MapType::Array),
                   definition("hash", ebpf::MapType::Hash)};
    runtime = std::make_unique<ebpf::Runtime>(object);
    image.program_name = "maps";
    image.maps = {layout_of(object.maps[0], kArrayBase), layout_of(object.maps[1], hash_base)};
    memory = std::make_unique<MapMemory>(image, *runtime);
  }
  static constexpr uint32_t kArrayBase = firmware::kMapBase;
  ebpf::ElfObject object = ebpf::make_single_program_object({});
  std::unique_ptr<ebpf::Runtime> runtime;
  firmware::Image image;
  std::unique_ptr<MapMemory> memory;
};

// The same expectations whichever way the regions are found.
void check_resolution(TwoMaps& maps, uint32_t hash_base) {
  MapMemory& memory = *maps.memory;
  const uint32_t key = 2;
  auto* array_value = static_cast<uint8_t*>(maps.runtime->map(0).lookup(&key));
  ASSERT_NE(array_value, nullptr);
  const uint32_t array_slot_2 = TwoMaps::kArrayBase + 2 * kStride;
  EXPECT_EQ(memory.translate(array_slot_2, 4, false), array_value);
  EXPECT_EQ(memory.translate(array_slot_2 + 8, 4, true), array_value + 8);
  EXPECT_EQ(memory.translate(array_slot_2 + 8, 5, false), nullptr);           // past the value
  EXPECT_EQ(memory.translate(array_slot_2 + kValueSize, 1, false), nullptr);  // padding
  // Past the region's last slot, still in its page.
  EXPECT_EQ(memory.translate(TwoMaps::kArrayBase + kEntries * kStride, 1, false), nullptr);

  const uint8_t value[kValueSize] = {7};
  ASSERT_EQ(maps.runtime->map(1).update(&key, value, 0), 0);
  auto* hash_value = static_cast<uint8_t*>(maps.runtime->map(1).lookup(&key));
  ASSERT_NE(hash_value, nullptr);
  const uint32_t address = memory.nic_address(1, hash_value, &key);
  EXPECT_GE(address, hash_base);
  EXPECT_LT(address, hash_base + kEntries * kStride);
  EXPECT_EQ(memory.translate(address, kValueSize, true), hash_value);
  EXPECT_EQ(memory.translate(hash_base - 1, 1, false), nullptr);
  EXPECT_EQ(memory.translate(hash_base + kEntries * kStride, 1, false), nullptr);
  // A deleted entry's value is no longer memory.
  ASSERT_EQ(maps.runtime->map(1).remove(&key), 0);
  EXPECT_EQ(memory.translate(address, 4, false), nullptr);
}

TEST(MapMemory, ResolvesPageAlignedRegionsAndTheirBounds) {
  const uint32_t hash_base = firmware::kMapBase + 2 * 4096;  // a page between them is empty
  TwoMaps maps(hash_base);
  check_resolution(maps, hash_base);
  EXPECT_EQ(maps.memory->translate(firmware::kMapBase + 4096, 1, false), nullptr);
  EXPECT_EQ(maps.memory->translate(hash_base + 4096, 1, false), nullptr);  // past the last
}

TEST(MapMemory, ResolvesRegionsThatShareAPage) {
  const uint32_t hash_base = TwoMaps::kArrayBase + kEntries * kStride + kStride;  // same page
  TwoMaps maps(hash_base);
  check_resolution(maps, hash_base);
}

}  // namespace
}  // namespace nicsim::model
