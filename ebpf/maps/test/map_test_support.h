#pragma once
// Builds map definitions and maps for the map unit tests.

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "ebpf/maps/map.h"

namespace nicsim::ebpf::test {

inline MapDefinition make_def(MapType type, uint32_t key_size, uint32_t value_size,
                              uint32_t max_entries, uint32_t flags = 0, std::string name = "m") {
  MapDefinition def;
  def.name = std::move(name);
  def.type = type;
  def.key_size = key_size;
  def.value_size = value_size;
  def.max_entries = max_entries;
  def.flags = flags;
  return def;
}

// A map with its CPU context (the context must outlive the map).
struct MapUnderTest {
  uint32_t cpu = 0;
  MapContext context;
  std::unique_ptr<Map> map;

  explicit MapUnderTest(const MapDefinition& def, uint32_t num_cpus = 1) {
    context.num_cpus = num_cpus;
    context.current_cpu = &cpu;
    map = create_map(def, context);
  }
  Map* operator->() { return map.get(); }
};

inline uint64_t address_of(const void* p) {
  return reinterpret_cast<uint64_t>(p);
}

template <typename T>
T load(const void* p) {
  T value;
  std::memcpy(&value, p, sizeof value);
  return value;
}

}  // namespace nicsim::ebpf::test
