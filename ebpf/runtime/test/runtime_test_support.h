#pragma once
// A Runtime over a hand-built object, with a 512-byte stack the program "owns", and a way to
// call helpers the way engines do.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "ebpf/runtime/helpers.h"
#include "ebpf/runtime/runtime.h"

namespace nicsim::ebpf::test {

inline MapDefinition map_def(std::string name, MapType type, uint32_t key_size, uint32_t value_size,
                             uint32_t max_entries, uint32_t flags = 0) {
  MapDefinition def;
  def.name = std::move(name);
  def.type = type;
  def.key_size = key_size;
  def.value_size = value_size;
  def.max_entries = max_entries;
  def.flags = flags;
  return def;
}

inline uint64_t address_of(const void* p) {
  return reinterpret_cast<uint64_t>(p);
}

struct TestWorld {
  ElfObject object;
  std::unique_ptr<Runtime> runtime;
  alignas(8) uint8_t stack[512] = {};

  explicit TestWorld(std::vector<MapDefinition> maps = {}, RuntimeConfig config = {},
                     std::vector<std::string> extra_programs = {}) {
    object = make_single_program_object({}, ProgramType::Xdp, "main");
    for (const auto& name : extra_programs) {
      Program program = object.programs.front();
      program.section = "xdp";
      program.function = name;
      object.programs.push_back(program);
    }
    object.maps = std::move(maps);
    runtime = std::make_unique<Runtime>(object, config);
    runtime->set_regions({MemoryRegion{address_of(stack), address_of(stack) + sizeof stack, true,
                                       RegionKind::Stack}});
  }

  // The address of stack[offset] after copying `value` there.
  template <typename T>
  uint64_t on_stack(size_t offset, const T& value) {
    std::memcpy(stack + offset, &value, sizeof value);
    return address_of(stack + offset);
  }

  uint64_t map(size_t index) const { return runtime->map_pointer(index); }

  uint64_t call(int32_t id, uint64_t r1 = 0, uint64_t r2 = 0, uint64_t r3 = 0, uint64_t r4 = 0,
                uint64_t r5 = 0) {
    const HelperInfo* helper = find_helper(id);
    if (helper == nullptr || helper->function == nullptr) {
      ADD_FAILURE() << "helper " << id << " is not callable";
      return 0;
    }
    return helper->function(r1, r2, r3, r4, r5, runtime.get());
  }

  std::string fault() const { return runtime->fault().value_or(""); }
};

inline int64_t as_signed(uint64_t r0) {
  return static_cast<int64_t>(r0);
}

}  // namespace nicsim::ebpf::test
