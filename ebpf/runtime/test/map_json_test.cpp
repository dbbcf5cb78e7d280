#include "ebpf/runtime/map_json.h"

#include <gtest/gtest.h>

#include "ebpf/runtime/test/runtime_test_support.h"
#include "ebpf/util/error.h"

namespace nicsim::ebpf::test {
namespace {

std::vector<MapDefinition> all_kinds_of_maps() {
  MapDefinition outer = map_def("by_tenant", MapType::HashOfMaps, 2, 4, 4);
  outer.inner_map_index = 6;
  return {
      map_def("flows", MapType::Hash, 4, 8, 16),
      map_def("tuples", MapType::LruHash, 6, 3, 16),
      map_def("counters", MapType::PercpuArray, 4, 8, 4),
      map_def("routes", MapType::LpmTrie, 8, 4, 16, 1),
      map_def("jumps", MapType::ProgArray, 4, 4, 4),
      map_def("ports", MapType::Devmap, 4, 4, 4),
      map_def("tenant_a", MapType::Array, 4, 1, 2),
      outer,
      map_def("events", MapType::Ringbuf, 0, 0, 4096),
  };
}

RuntimeConfig two_cpus() {
  RuntimeConfig config;
  config.num_cpus = 2;
  return config;
}

TEST(MapJson, LoadThenDumpGivesTheCanonicalForm) {
  TestWorld world(all_kinds_of_maps(), two_cpus(), {"second"});
  const auto input = nlohmann::json::parse(R"({"maps": {
    "flows": [{"key": "0a000001", "value": 7}, {"key": 2, "value": [1,0,0,0,0,0,0,0]}],
    "tuples": [{"key": "0a0000010050", "value": "abcdef"}],
    "counters": [{"key": 1, "value": [10, 20]}, {"key": 3, "value": "ffffffffffffffff"}],
    "routes": [{"key": "180000000a0102ff", "value": 24}],
    "jumps": [{"key": 2, "value": "second"}],
    "ports": [{"key": 0, "value": 5}],
    "tenant_a": [{"key": 1, "value": 255}],
    "by_tenant": [{"key": 7, "value": "tenant_a"}]
  }})");
  load_map_contents(*world.runtime, input, "contents.json");

  const auto expected = nlohmann::json::parse(R"({"maps": {
    "flows": [{"key": 16777226, "value": 7}, {"key": 2, "value": 1}],
    "tuples": [{"key": "0a0000010050", "value": "abcdef"}],
    "counters": [{"key": 1, "value": [10, 20]},
                 {"key": 3, "value": [18446744073709551615, 18446744073709551615]}],
    "routes": [{"key": "180000000a0102ff", "value": 24}],
    "jumps": [{"key": 2, "value": "xdp/second"}],
    "ports": [{"key": 0, "value": 5}],
    "tenant_a": [{"key": 1, "value": 255}],
    "by_tenant": [{"key": 7, "value": "tenant_a"}]
  }})");
  const nlohmann::json dumped = dump_map_contents(*world.runtime);
  EXPECT_EQ(dumped, expected) << dumped.dump(2);

  // The dump loads back into a fresh runtime and dumps identically.
  TestWorld copy(all_kinds_of_maps(), two_cpus(), {"second"});
  load_map_contents(*copy.runtime, dumped, "dump.json");
  EXPECT_EQ(dump_map_contents(*copy.runtime), dumped);
}

TEST(MapJson, LoadedValuesAreWhatProgramsSee) {
  TestWorld world(all_kinds_of_maps(), two_cpus(), {"second"});
  load_map_contents(*world.runtime, nlohmann::json::parse(R"({"maps": {
    "flows": [{"key": [10, 0, 0, 1], "value": "0102030405060708"}],
    "counters": [{"key": 0, "value": 9}]
  }})"),
                    "contents.json");
  const uint64_t key = world.on_stack<uint32_t>(0, 0x0100000a);
  const uint64_t value = world.call(kHelperMapLookupElem, world.map(0), key);
  ASSERT_NE(value, 0u);
  EXPECT_EQ(*reinterpret_cast<const uint64_t*>(value), 0x0807060504030201u);
  // A single per-CPU value goes to every CPU.
  const uint64_t zero = world.on_stack<uint32_t>(8, 0);
  world.runtime->set_cpu(1);
  EXPECT_EQ(
      *reinterpret_cast<const uint64_t*>(world.call(kHelperMapLookupElem, world.map(2), zero)), 9u);
}

TEST(MapJson, ErrorsNameTheSourceMapAndEntry) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"maps": {"nope": []}})", "contents.json: no map named 'nope'"},
      {R"({"maps": {"flows": [{"key": 1}]}})", "contents.json: map 'flows' entry 0: an entry must"},
      {R"({"maps": {"flows": [{"key": 1, "value": 1}, {"key": "0a00", "value": 1}]}})",
       "contents.json: map 'flows' entry 1: key: hex string '0a00' has 4 digits, expected 8"},
      {R"({"maps": {"flows": [{"key": 4294967296, "value": 1}]}})",
       "map 'flows' entry 0: key: 4294967296 does not fit in 4 bytes"},
      {R"({"maps": {"tuples": [{"key": 5, "value": 1}]}})",
       "map 'tuples' entry 0: key: an integer cannot encode 6 bytes"},
      {R"({"maps": {"flows": [{"key": 1, "value": "zz00000000000000"}]}})",
       "value: 'zz00000000000000' is not a hex string"},
      {R"({"maps": {"counters": [{"key": 1, "value": [1, 2, 3]}]}})",
       "map 'counters' entry 0: value: a per-CPU value needs 2 elements"},
      {R"({"maps": {"counters": [{"key": 9, "value": 1}]}})",
       "map 'counters' entry 0: the map refuses the entry (E2BIG"},
      {R"({"maps": {"jumps": [{"key": 0, "value": "missing"}]}})", "map 'jumps' entry 0: value:"},
      {R"({"maps": {"by_tenant": [{"key": 0, "value": "flows"}]}})",
       "map 'by_tenant' entry 0: the map refuses the entry (EINVAL)"},
      {R"({"maps": {"events": [{"key": 0, "value": 1}]}})", "a ringbuf map has no contents"},
      {R"({"flows": []})", "contents.json: expected an object with a \"maps\" object"},
  };
  for (const auto& [text, expected] : cases) {
    TestWorld world(all_kinds_of_maps(), two_cpus(), {"second"});
    try {
      load_map_contents(*world.runtime, nlohmann::json::parse(text), "contents.json");
      ADD_FAILURE() << "no error for " << text;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos)
          << e.what() << "\n  expected: " << expected;
    }
  }
}

TEST(MapJson, ZeroArrayEntriesAndEventMapsAreLeftOut) {
  TestWorld world(all_kinds_of_maps(), two_cpus(), {"second"});
  const nlohmann::json dumped = dump_map_contents(*world.runtime);
  EXPECT_EQ(dumped["maps"]["counters"], nlohmann::json::array());
  EXPECT_EQ(dumped["maps"]["tenant_a"], nlohmann::json::array());
  EXPECT_EQ(dumped["maps"]["flows"], nlohmann::json::array());
  EXPECT_FALSE(dumped["maps"].contains("events"));
}

}  // namespace
}  // namespace nicsim::ebpf::test
