// Map definitions and map / global data references of the C fixtures: the expected values
// come from the fixture sources (declared types, sizes, initialisers), and each relocated
// lddw is matched to the source line that takes the map's address through BTF line info.

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <set>

#include "ebpf/elf/elf_loader.h"
#include "test_support.h"

namespace nicsim::ebpf {
namespace {

constexpr uint32_t kNoCommonLru = 1u << 1;      // BPF_F_NO_COMMON_LRU
constexpr uint32_t kNoPrealloc = 1u << 0;       // BPF_F_NO_PREALLOC
constexpr uint32_t kReadOnlyProgram = 1u << 7;  // BPF_F_RDONLY_PROG
constexpr uint32_t kPinByName = 1;              // LIBBPF_PIN_BY_NAME / PIN_OBJECT_NS
constexpr uint32_t kPinGlobal = 2;              // iproute2 PIN_GLOBAL_NS

ElfObject load_fixture(const std::string& name) {
  return load_elf_file(test::fixture_object(name).string());
}

const MapDefinition& map_named(const ElfObject& object, const std::string& name) {
  const int index = object.find_map(name);
  EXPECT_GE(index, 0) << "no map " << name;
  static const MapDefinition none;
  return index < 0 ? none : object.maps[static_cast<size_t>(index)];
}

void expect_geometry(const MapDefinition& map, MapType type, uint32_t key, uint32_t value,
                     uint32_t entries) {
  SCOPED_TRACE(map.name);
  EXPECT_EQ(map.type, type);
  EXPECT_EQ(map.key_size, key);
  EXPECT_EQ(map.value_size, value);
  EXPECT_EQ(map.max_entries, entries);
}

// lddw instructions of `program` with the given src, as (instruction index, source line).
std::vector<std::pair<size_t, uint32_t>> lddws(const Program& program, uint8_t src) {
  std::vector<std::pair<size_t, uint32_t>> found;
  for (size_t i = 0; i < program.insns.size(); ++i) {
    if (!program.insns[i].is_lddw()) continue;
    if (program.insns[i].src() == src) {
      const SourceLocation* location = program.location_of(i);
      found.emplace_back(i, location ? location->line : 0);
    }
    ++i;
  }
  return found;
}

// The lddw on the source line that mentions `&map` loads that map's index.
void expect_map_reference(const ElfObject& object, const Program& program,
                          const std::string& source, const std::string& map) {
  const uint32_t line = test::marker_line(source, "&" + map + ",");
  bool found = false;
  for (const auto& [index, at_line] : lddws(program, kLddwMapFd)) {
    if (at_line != line) continue;
    found = true;
    EXPECT_EQ(program.insns[index].imm, object.find_map(map)) << map << " at insn " << index;
    EXPECT_EQ(program.insns[index + 1].imm, 0);
  }
  EXPECT_TRUE(found) << "no map lddw on line " << line << " (" << map << ")";
}

TEST(FixtureMaps, BtfDefinitions) {
  const auto object = load_fixture("btf_maps");
  EXPECT_EQ(object.license, "Dual BSD/GPL");
  ASSERT_EQ(object.maps.size(), 9u);  // 8 declared + the inner template of `outer`

  expect_geometry(map_named(object, "flows"), MapType::Hash, 12, 16, 1024);
  expect_geometry(map_named(object, "counters"), MapType::Array, 4, 8, 64);
  const auto& recent = map_named(object, "recent");
  expect_geometry(recent, MapType::LruPercpuHash, 8, 4, 4096);
  EXPECT_EQ(recent.flags, kNoCommonLru);
  EXPECT_EQ(recent.pinning, kPinByName);
  expect_geometry(map_named(object, "events"), MapType::Ringbuf, 0, 0, 256 * 1024);
  expect_geometry(map_named(object, "inner_a"), MapType::Array, 4, 8, 16);
  expect_geometry(map_named(object, "inner_b"), MapType::Array, 4, 8, 16);
  for (const auto& map : object.maps) {
    EXPECT_EQ(map.origin, MapOrigin::Declared) << map.name;
    if (map.name != "recent") {
      EXPECT_EQ(map.pinning, 0u) << map.name;
    }
    if (map.name != "recent") {
      EXPECT_EQ(map.flags, 0u) << map.name;
    }
  }
}

TEST(FixtureMaps, ArrayOfMapsHasItsTemplateAndInitialisers) {
  const auto object = load_fixture("btf_maps");
  const auto& outer = map_named(object, "outer");
  expect_geometry(outer, MapType::ArrayOfMaps, 4, 4, 4);
  ASSERT_GE(outer.inner_map_index, 0);
  ASSERT_LT(static_cast<size_t>(outer.inner_map_index), object.maps.size());
  const auto& inner = object.maps[static_cast<size_t>(outer.inner_map_index)];
  EXPECT_EQ(inner.name, "outer.inner");
  expect_geometry(inner, MapType::Array, 4, 8, 16);  // struct inner_array
  EXPECT_EQ(static_cast<size_t>(outer.inner_map_index), object.maps.size() - 1) << "templates last";
  const std::vector<std::pair<uint32_t, std::string>> slots = {{1, "inner_a"}, {3, "inner_b"}};
  EXPECT_EQ(outer.initial_slots, slots);
}

TEST(FixtureMaps, ProgArrayInitialisersNamePrograms) {
  const auto object = load_fixture("btf_maps");
  const auto& jumps = map_named(object, "jumps");
  expect_geometry(jumps, MapType::ProgArray, 4, 4, 8);
  const std::vector<std::pair<uint32_t, std::string>> slots = {{0, "tail_zero"}, {5, "tail_one"}};
  EXPECT_EQ(jumps.initial_slots, slots);
  for (const auto& [slot, name] : jumps.initial_slots) {
    EXPECT_EQ(object.find_program(name).type, ProgramType::Xdp) << name;
  }
}

TEST(FixtureMaps, BtfMapReferencesAreRelocatedToMapIndices) {
  const auto object = load_fixture("btf_maps");
  const Program& entry = object.find_program("entry");
  for (const char* map : {"counters", "flows", "recent", "events", "outer", "jumps"})
    expect_map_reference(object, entry, "btf_maps", map);
  EXPECT_EQ(lddws(entry, kLddwMapFd).size(), 6u);
  EXPECT_TRUE(lddws(entry, kLddwImm64).empty());
}

TEST(FixtureMaps, ThreeProgramsInOneSection) {
  const auto object = load_fixture("btf_maps");
  ASSERT_EQ(object.programs.size(), 3u);
  std::set<std::string> names;
  for (const auto& program : object.programs) {
    EXPECT_EQ(program.section, "xdp");
    EXPECT_EQ(program.type, ProgramType::Xdp);
    names.insert(program.display_name());
  }
  EXPECT_EQ(names, (std::set<std::string>{"xdp/tail_zero", "xdp/tail_one", "xdp/entry"}));
  // tail_zero is `return XDP_PASS;`: r0 = 2; exit.
  const auto& tail_zero = object.find_program("tail_zero");
  ASSERT_EQ(tail_zero.insns.size(), 2u);
  EXPECT_EQ(tail_zero.insns[0], make_insn(kClassAlu64 | kAluMov | kSrcK, 0, 0, 0, 2));
  EXPECT_TRUE(tail_zero.insns[1].is_exit());
}

TEST(FixtureMaps, LegacyBpfLoadMapDef) {
  const auto object = load_fixture("legacy_maps");
  EXPECT_EQ(object.license, "GPL");
  ASSERT_EQ(object.maps.size(), 3u);
  expect_geometry(map_named(object, "inner_template"), MapType::Hash, 4, 8, 32);
  expect_geometry(map_named(object, "packet_count"), MapType::PercpuArray, 4, 8, 256);
  // value_size 0 in the source: a map-in-map's values are map fds (4 bytes).
  const auto& outer = map_named(object, "outer_hash");
  expect_geometry(outer, MapType::HashOfMaps, 4, 4, 8);
  // inner_map_idx = 0 names the first definition of the section, inner_template.
  EXPECT_EQ(outer.inner_map_index, object.find_map("inner_template"));

  const Program& program = object.find_program("count_packets");
  EXPECT_EQ(program.section, "socket");
  EXPECT_EQ(program.type, ProgramType::SocketFilter);
  expect_map_reference(object, program, "legacy_maps", "packet_count");
  expect_map_reference(object, program, "legacy_maps", "outer_hash");
}

TEST(FixtureMaps, LegacyIproute2ElfMap) {
  const auto object = load_fixture("elf_maps");
  ASSERT_EQ(object.maps.size(), 3u);
  const auto& stats = map_named(object, "stats");
  expect_geometry(stats, MapType::Hash, 4, 16, 128);
  EXPECT_EQ(stats.flags, kNoPrealloc);
  EXPECT_EQ(stats.pinning, kPinByName);
  expect_geometry(map_named(object, "proto_template"), MapType::Array, 4, 4, 2);
  const auto& per_proto = map_named(object, "per_proto");
  expect_geometry(per_proto, MapType::ArrayOfMaps, 4, 4, 256);
  EXPECT_EQ(per_proto.pinning, kPinGlobal);
  EXPECT_EQ(per_proto.inner_map_index, object.find_map("proto_template"));  // inner_id 42

  const Program& program = object.find_program("classify");
  EXPECT_EQ(program.type, ProgramType::SchedCls);
  expect_map_reference(object, program, "elf_maps", "stats");
  expect_map_reference(object, program, "elf_maps", "per_proto");
}

int32_t int_at(const MapDefinition& map, uint32_t offset) {
  int32_t value = 0;
  EXPECT_LE(offset + 4, map.initial_value.size()) << map.name;
  if (offset + 4 <= map.initial_value.size())
    std::memcpy(&value, map.initial_value.data() + offset, 4);
  return value;
}

TEST(FixtureMaps, GlobalDataSectionsAreSingleEntryArrays) {
  const auto object = load_fixture("global_data");
  std::map<std::string, MapOrigin> origins;
  for (const auto& map : object.maps) {
    SCOPED_TRACE(map.name);
    origins[map.name] = map.origin;
    EXPECT_EQ(map.type, MapType::Array);
    EXPECT_EQ(map.key_size, 4u);
    EXPECT_EQ(map.max_entries, 1u);
    EXPECT_EQ(map.initial_value.size(), map.value_size);
    EXPECT_EQ(map.read_only(), map.origin == MapOrigin::Rodata);
    EXPECT_EQ((map.flags & kReadOnlyProgram) != 0, map.origin == MapOrigin::Rodata);
  }
  EXPECT_EQ(origins[".data"], MapOrigin::Data);
  EXPECT_EQ(origins[".rodata"], MapOrigin::Rodata);
  EXPECT_EQ(origins[".bss"], MapOrigin::Bss);
  const auto& bss = map_named(object, ".bss");
  EXPECT_GE(bss.value_size, 4u + 32u);  // zeroed + big_zero[4]
  for (uint8_t byte : bss.initial_value) {
    EXPECT_EQ(byte, 0);
  }
}

TEST(FixtureMaps, GlobalDataReferencesPointAtTheVariables) {
  const auto object = load_fixture("global_data");
  const Program& program = object.find_program("use_globals");
  EXPECT_EQ(program.type, ProgramType::SchedCls);
  // (line, value loaded from the referenced map value) for every map-value lddw.
  std::multimap<uint32_t, std::pair<const MapDefinition*, uint32_t>> references;
  for (const auto& [index, line] : lddws(program, kLddwMapValue)) {
    const auto& map = object.maps.at(static_cast<size_t>(program.insns[index].imm));
    references.emplace(line,
                       std::make_pair(&map, static_cast<uint32_t>(program.insns[index + 1].imm)));
  }
  EXPECT_TRUE(lddws(program, kLddwImm64).empty());

  auto values_on = [&](const std::string& marker) {
    std::multiset<int32_t> values;
    const auto [first, last] = references.equal_range(test::marker_line("global_data", marker));
    for (auto it = first; it != last; ++it) {
      const auto& [map, offset] = it->second;
      if (map->origin != MapOrigin::Bss) values.insert(int_at(*map, offset));
    }
    return values;
  };
  EXPECT_EQ(values_on("counter++;"), std::multiset<int32_t>{5});  // int counter = 5
  EXPECT_EQ(values_on("hidden += limit;"), (std::multiset<int32_t>{7, 100}));

  // greeting[...]: the referenced bytes spell "hello"; zeroed lives in .bss.
  const auto [first, last] = references.equal_range(test::marker_line("global_data", "zeroed ="));
  bool greeting = false;
  bool zeroed = false;
  for (auto it = first; it != last; ++it) {
    const auto& [map, offset] = it->second;
    const auto& bytes = map->initial_value;
    if (map->origin == MapOrigin::Rodata && offset + 6 <= bytes.size())
      greeting = std::memcmp(bytes.data() + offset, "hello", 6) == 0;
    if (map->origin == MapOrigin::Bss) zeroed = offset + 4 <= map->value_size;
  }
  EXPECT_TRUE(greeting);
  EXPECT_TRUE(zeroed);
}

TEST(FixtureMaps, UnknownMapTypesAreRefusedByName) {
  try {
    load_fixture("bad_map_type");
    FAIL() << "expected ElfError";
  } catch (const ElfError& error) {
    EXPECT_NE(std::string(error.what()).find("map 'mystery': unknown map type 99"),
              std::string::npos)
        << error.what();
  }
  try {
    load_fixture("bad_legacy_map_type");
    FAIL() << "expected ElfError";
  } catch (const ElfError& error) {
    EXPECT_NE(std::string(error.what()).find("map 'odd': unknown map type 1000"), std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace nicsim::ebpf
