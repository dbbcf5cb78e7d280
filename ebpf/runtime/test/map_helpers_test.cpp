#include <gtest/gtest.h>

#include <cerrno>

#include "ebpf/maps/map_flags.h"
#include "ebpf/maps/prog_array_map.h"
#include "ebpf/runtime/test/runtime_test_support.h"
#include "ebpf/util/error.h"

namespace nicsim::ebpf::test {
namespace {

TEST(MapHelpers, UpdateLookupDeleteThroughTheHelperTable) {
  TestWorld world({map_def("flows", MapType::Hash, 4, 8, 16)});
  const uint64_t key = world.on_stack<uint32_t>(0, 0x0a000001);
  const uint64_t value = world.on_stack<uint64_t>(8, 1234);
  EXPECT_EQ(world.call(kHelperMapLookupElem, world.map(0), key), 0u);
  EXPECT_EQ(world.call(kHelperMapUpdateElem, world.map(0), key, value, kMapUpdateNoExist), 0u);
  EXPECT_EQ(
      as_signed(world.call(kHelperMapUpdateElem, world.map(0), key, value, kMapUpdateNoExist)),
      -EEXIST);
  const uint64_t found = world.call(kHelperMapLookupElem, world.map(0), key);
  ASSERT_NE(found, 0u);
  uint64_t stored;
  std::memcpy(&stored, reinterpret_cast<void*>(found), 8);
  EXPECT_EQ(stored, 1234u);
  // The program may read and write the value it got.
  EXPECT_TRUE(world.runtime->accessible(found, 8, true));
  EXPECT_FALSE(world.runtime->accessible(found, 9, false));
  EXPECT_EQ(world.call(kHelperMapDeleteElem, world.map(0), key), 0u);
  EXPECT_EQ(as_signed(world.call(kHelperMapDeleteElem, world.map(0), key)), -ENOENT);
  EXPECT_FALSE(world.runtime->accessible(found, 8, false));
  EXPECT_EQ(world.fault(), "");
}

TEST(MapHelpers, BadKeyPointerFaults) {
  TestWorld world({map_def("flows", MapType::Hash, 4, 8, 16)});
  EXPECT_EQ(world.call(kHelperMapLookupElem, world.map(0), 0x1000), 0u);
  EXPECT_EQ(world.fault(),
            "helper map_lookup_elem: key pointer 0x1000 is not readable for 4 bytes");
}

TEST(MapHelpers, KeyOverrunningTheStackFaults) {
  TestWorld world({map_def("flows", MapType::Hash, 8, 8, 16)});
  const uint64_t last_four_bytes = address_of(world.stack + 508);
  EXPECT_EQ(world.call(kHelperMapLookupElem, world.map(0), last_four_bytes), 0u);
  EXPECT_NE(world.fault().find("key pointer"), std::string::npos) << world.fault();
}

TEST(MapHelpers, BadValuePointerFaults) {
  TestWorld world({map_def("flows", MapType::Hash, 4, 8, 16)});
  const uint64_t key = world.on_stack<uint32_t>(0, 1);
  world.call(kHelperMapUpdateElem, world.map(0), key, 0, kMapUpdateAny);
  EXPECT_EQ(world.fault(), "helper map_update_elem: value pointer 0x0 is not readable for 8 bytes");
}

TEST(MapHelpers, NonMapArgumentFaults) {
  TestWorld world({map_def("flows", MapType::Hash, 4, 8, 16)});
  const uint64_t key = world.on_stack<uint32_t>(0, 1);
  world.call(kHelperMapLookupElem, key, key);
  EXPECT_EQ(world.fault(), fmt::format("helper map_lookup_elem: argument {:#x} is not a map", key));
}

TEST(MapHelpers, ReadOnlyMapValuesCannotBeWritten) {
  MapDefinition rodata = map_def(".rodata", MapType::Array, 4, 4, 1);
  rodata.origin = MapOrigin::Rodata;
  rodata.initial_value = {1, 2, 3, 4};
  TestWorld world({rodata, map_def("devices", MapType::Devmap, 4, 4, 2),
                   map_def("frozen", MapType::Array, 4, 4, 1, kMapFlagReadOnlyProg)});
  const uint64_t key = world.on_stack<uint32_t>(0, 0);
  const uint64_t value = world.call(kHelperMapLookupElem, world.map(0), key);
  ASSERT_NE(value, 0u);
  EXPECT_EQ(*reinterpret_cast<const uint32_t*>(value), 0x04030201u);  // initial value
  EXPECT_TRUE(world.runtime->accessible(value, 4, false));
  EXPECT_FALSE(world.runtime->accessible(value, 4, true));
  const uint32_t ifindex = 3, slot = 1, out_of_range = 2;
  ASSERT_EQ(world.runtime->map(1).host_update(&out_of_range, &ifindex, 0), -E2BIG);
  ASSERT_EQ(world.runtime->map(1).host_update(&slot, &ifindex, 0), 0);
  const uint64_t devmap_value =
      world.call(kHelperMapLookupElem, world.map(1), world.on_stack<uint32_t>(0, 1));
  ASSERT_NE(devmap_value, 0u);
  EXPECT_FALSE(world.runtime->accessible(devmap_value, 4, true));
  const uint64_t frozen = world.call(kHelperMapLookupElem, world.map(2), key);
  EXPECT_FALSE(world.runtime->accessible(frozen, 4, true));
}

TEST(MapHelpers, PerCpuLookupsFollowTheRuntimesCpu) {
  RuntimeConfig config;
  config.num_cpus = 2;
  TestWorld world({map_def("counters", MapType::PercpuArray, 4, 8, 1)}, config);
  const uint64_t key = world.on_stack<uint32_t>(0, 0);
  world.runtime->set_cpu(1);
  const uint64_t value = world.on_stack<uint64_t>(8, 42);
  ASSERT_EQ(world.call(kHelperMapUpdateElem, world.map(0), key, value, kMapUpdateAny), 0u);
  EXPECT_EQ(world.call(kHelperGetSmpProcessorId), 1u);
  const uint64_t on_cpu1 = world.call(kHelperMapLookupElem, world.map(0), key);
  world.runtime->set_cpu(0);
  const uint64_t on_cpu0 = world.call(kHelperMapLookupElem, world.map(0), key);
  EXPECT_NE(on_cpu0, on_cpu1);
  EXPECT_EQ(*reinterpret_cast<const uint64_t*>(on_cpu0), 0u);
  EXPECT_EQ(*reinterpret_cast<const uint64_t*>(on_cpu1), 42u);
  EXPECT_THROW(world.runtime->set_cpu(2), Error);
}

class MapInMapTest : public ::testing::TestWithParam<MapType> {};

TEST_P(MapInMapTest, LookupYieldsTheInnerMapPointer) {
  MapDefinition outer = map_def("outer", GetParam(), 4, 4, 4);
  outer.inner_map_index = 1;  // "inner_a" is the template
  TestWorld world({outer, map_def("inner_a", MapType::Hash, 4, 8, 8),
                   map_def("inner_b", MapType::Hash, 4, 8, 8),
                   map_def("wrong_value", MapType::Hash, 4, 16, 8)});
  Map& outer_map = world.runtime->map(0);
  const uint32_t slot = 3, inner_b = 2, wrong = 3, itself = 0, missing = 9;
  EXPECT_EQ(outer_map.host_update(&slot, &wrong, kMapUpdateAny), -EINVAL);
  EXPECT_EQ(outer_map.host_update(&slot, &itself, kMapUpdateAny), -EINVAL);
  EXPECT_EQ(outer_map.host_update(&slot, &missing, kMapUpdateAny), -EBADF);
  ASSERT_EQ(outer_map.host_update(&slot, &inner_b, kMapUpdateAny), 0);
  uint32_t stored = 0;
  ASSERT_EQ(outer_map.host_lookup(&slot, &stored), 0);
  EXPECT_EQ(stored, 2u);

  const uint64_t key = world.on_stack<uint32_t>(0, slot);
  const uint64_t inner = world.call(kHelperMapLookupElem, world.map(0), key);
  EXPECT_EQ(inner, world.map(2));
  // The result is a map the program can use with map helpers.
  const uint64_t value = world.on_stack<uint64_t>(8, 99);
  EXPECT_EQ(world.call(kHelperMapUpdateElem, inner, key, value, kMapUpdateAny), 0u);
  uint64_t out = 0;
  ASSERT_EQ(world.runtime->map(2).host_lookup(&slot, &out), 0);
  EXPECT_EQ(out, 99u);
  // Programs cannot store maps, nor read the outer map's slots as memory.
  EXPECT_NE(as_signed(world.call(kHelperMapUpdateElem, world.map(0), key, key, 0)), 0);
  EXPECT_FALSE(world.runtime->accessible(inner, 1, false));
  const uint64_t empty_key = world.on_stack<uint32_t>(16, 1);
  EXPECT_EQ(world.call(kHelperMapLookupElem, world.map(0), empty_key), 0u);
  EXPECT_EQ(world.fault(), "");
}

INSTANTIATE_TEST_SUITE_P(Types, MapInMapTest,
                         ::testing::Values(MapType::ArrayOfMaps, MapType::HashOfMaps),
                         [](const auto& info) { return std::string(map_type_name(info.param)); });

TEST(RuntimeInitialSlots, BtfValuesFillProgArraysAndMapInMaps) {
  MapDefinition jumps = map_def("jumps", MapType::ProgArray, 4, 4, 4);
  jumps.initial_slots = {{2, "second"}, {0, "main"}};
  MapDefinition outer = map_def("outer", MapType::ArrayOfMaps, 4, 4, 2);
  outer.inner_map_index = 2;
  outer.initial_slots = {{1, "inner"}};
  TestWorld world({jumps, outer, map_def("inner", MapType::Array, 4, 4, 1)}, {}, {"second"});
  const auto& progs = dynamic_cast<const ProgArrayMap&>(world.runtime->map(0));
  EXPECT_EQ(progs.program_at(2), 1u);
  EXPECT_EQ(progs.program_at(0), 0u);
  EXPECT_FALSE(progs.program_at(1));
  const uint64_t key = world.on_stack<uint32_t>(0, 1);
  EXPECT_EQ(world.call(kHelperMapLookupElem, world.map(1), key), world.map(2));
}

TEST(RuntimeInitialSlots, UnknownNamesAreErrors) {
  MapDefinition jumps = map_def("jumps", MapType::ProgArray, 4, 4, 4);
  jumps.initial_slots = {{1, "nowhere"}};
  ElfObject object = make_single_program_object({}, ProgramType::Xdp, "main");
  object.maps = {jumps};
  try {
    Runtime runtime(object);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("map 'jumps' slot 1"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("nowhere"), std::string::npos) << e.what();
  }
}

TEST(RuntimeConstruction, UnsupportedMapsAndBadCpusAreErrors) {
  ElfObject object = make_single_program_object({}, ProgramType::Xdp, "main");
  object.maps = {map_def("stack", MapType::Stack, 0, 4, 4)};
  EXPECT_THROW(Runtime{object}, Error);
  object.maps.clear();
  RuntimeConfig config;
  config.num_cpus = 0;
  EXPECT_THROW(Runtime(object, config), Error);
  config.num_cpus = 2;
  config.cpu = 2;
  EXPECT_THROW(Runtime(object, config), Error);
}

}  // namespace
}  // namespace nicsim::ebpf::test
