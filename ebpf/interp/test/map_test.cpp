// Programs using maps: lddw map and map_value, lookups through the helper, writes through the
// returned value pointer, bounds of map values and read-only (.rodata) maps.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "ebpf/interp/test/test_support.h"
#include "ebpf/runtime/helpers.h"
#include "ebpf/util/error.h"

namespace nicsim::ebpf::test {
namespace {

using ::testing::HasSubstr;

MapDefinition array_map(std::string name, uint32_t value_size, uint32_t max_entries) {
  MapDefinition def;
  def.name = std::move(name);
  def.type = MapType::Array;
  def.key_size = 4;
  def.value_size = value_size;
  def.max_entries = max_entries;
  return def;
}

ElfObject object_with_maps(std::vector<Instruction> program, std::vector<MapDefinition> maps) {
  ElfObject object = make_single_program_object(std::move(program), ProgramType::Xdp);
  object.maps = std::move(maps);
  return object;
}

uint64_t host_value(Runtime& runtime, size_t map, uint32_t key, size_t offset = 0) {
  std::vector<uint8_t> value(runtime.map(map).host_value_size());
  EXPECT_EQ(runtime.map(map).host_lookup(&key, value.data()), 0);
  uint64_t v = 0;
  std::memcpy(&v, value.data() + offset, 8);
  return v;
}

// counters[2] += 5 through bpf_map_lookup_elem; returns 1 when the lookup succeeded.
std::vector<Instruction> add_five_to_slot_two() {
  std::vector<Instruction> program = {st(kSizeW, 10, -4, 2)};
  lddw(program, 1, 0, kLddwMapFd);                       // 1-2
  program.push_back(mov64_reg(2, 10));                   // 3
  program.push_back(alu64_imm(kAluAdd, 2, -4));          // 4
  program.push_back(call_helper(kHelperMapLookupElem));  // 5
  program.push_back(jmp_imm(kJmpJeq, 0, 0, 4));          // 6 -> 11
  program.push_back(ldx(kSizeDw, 1, 0, 0));              // 7
  program.push_back(alu64_imm(kAluAdd, 1, 5));           // 8
  program.push_back(stx(kSizeDw, 0, 1, 0));              // 9
  program.push_back(mov64_imm(0, 1));                    // 10
  program.push_back(exit_insn());                        // 11
  return program;
}

TEST(InterpMaps, LookupAndUpdateThroughTheValuePointer) {
  Harness harness(object_with_maps(add_five_to_slot_two(), {array_map("counters", 8, 4)}));
  EXPECT_EQ(harness.raw().return_value, 1u);
  EXPECT_EQ(harness.raw().return_value, 1u);
  EXPECT_EQ(host_value(*harness.runtime, 0, 2), 10u);
  EXPECT_EQ(host_value(*harness.runtime, 0, 1), 0u);
}

TEST(InterpMaps, LddwMapLoadsTheMapPointer) {
  std::vector<Instruction> program;
  lddw(program, 0, 1, kLddwMapFd);
  program.push_back(exit_insn());
  Harness harness(object_with_maps(program, {array_map("a", 8, 1), array_map("b", 8, 1)}));
  EXPECT_EQ(harness.raw().return_value, harness.runtime->map_pointer(1));
}

TEST(InterpMaps, LddwMapValuePointsIntoKeyZero) {
  std::vector<Instruction> program;
  lddw(program, 1, (uint64_t{8} << 32) | 0, kLddwMapValue);  // map 0, offset 8
  program.push_back(st(kSizeDw, 1, 0, 0x55));
  program.push_back(ldx(kSizeDw, 0, 1, -8));
  program.push_back(exit_insn());
  Harness harness(object_with_maps(program, {array_map("globals", 16, 1)}));
  ASSERT_FALSE(harness.raw().aborted);
  EXPECT_EQ(host_value(*harness.runtime, 0, 0, 8), 0x55u);
}

TEST(InterpMaps, LddwMapValueOffsetMustLieInsideTheValue) {
  std::vector<Instruction> program;
  lddw(program, 1, uint64_t{16} << 32, kLddwMapValue);
  program.push_back(exit_insn());
  EXPECT_THROW(Harness(object_with_maps(program, {array_map("globals", 16, 1)})), Error);
}

TEST(InterpMaps, AccessBeyondTheValueFaults) {
  // Checks are by region, not by pointer provenance: what must fault is an access outside
  // every value (past the last slot) or straddling two values.
  std::vector<Instruction> past_the_end = add_five_to_slot_two();
  past_the_end[0] = st(kSizeW, 10, -4, 3);  // the last slot
  past_the_end[7] = ldx(kSizeDw, 1, 0, 8);
  std::vector<Instruction> straddling = add_five_to_slot_two();
  straddling[7] = ldx(kSizeDw, 1, 0, 4);
  for (const auto& program : {past_the_end, straddling}) {
    Harness harness(object_with_maps(program, {array_map("counters", 8, 4)}));
    const ExecutionResult result = harness.raw();
    ASSERT_TRUE(result.aborted);
    EXPECT_THAT(result.diagnostic, HasSubstr("insn 7: invalid read of 8 bytes"));
  }
}

TEST(InterpMaps, ReadOnlyMapRefusesWrites) {
  MapDefinition rodata = array_map(".rodata", 8, 1);
  rodata.origin = MapOrigin::Rodata;
  rodata.initial_value = {0x2a, 0, 0, 0, 0, 0, 0, 0};
  std::vector<Instruction> program;
  lddw(program, 1, 0, kLddwMapValue);
  program.push_back(ldx(kSizeDw, 0, 1, 0));
  program.push_back(exit_insn());
  {
    Harness harness(object_with_maps(program, {rodata}));
    const ExecutionResult result = harness.raw();
    ASSERT_FALSE(result.aborted) << result.diagnostic;
    EXPECT_EQ(result.return_value, 0x2au);
  }
  program.insert(program.begin() + 2, st(kSizeDw, 1, 0, 1));
  Harness harness(object_with_maps(program, {rodata}));
  const ExecutionResult result = harness.raw();
  ASSERT_TRUE(result.aborted);
  EXPECT_THAT(result.diagnostic, HasSubstr("insn 2: invalid write of 8 bytes at 0x"));
  EXPECT_THAT(result.diagnostic, HasSubstr("read-only"));
}

TEST(InterpMaps, HelpersSeeTheLiveStackFrame) {
  // map_update_elem reads key and value from the stack of a called function.
  std::vector<Instruction> program = {call_local(1), exit_insn()};
  program.push_back(st(kSizeW, 10, -4, 3));     // 2: key
  program.push_back(st(kSizeDw, 10, -16, 77));  // value
  lddw(program, 1, 0, kLddwMapFd);
  program.push_back(mov64_reg(2, 10));
  program.push_back(alu64_imm(kAluAdd, 2, -4));
  program.push_back(mov64_reg(3, 10));
  program.push_back(alu64_imm(kAluAdd, 3, -16));
  program.push_back(mov64_imm(4, 0));
  program.push_back(call_helper(kHelperMapUpdateElem));
  program.push_back(exit_insn());
  Harness harness(object_with_maps(program, {array_map("counters", 8, 4)}));
  const ExecutionResult result = harness.raw();
  ASSERT_FALSE(result.aborted) << result.diagnostic;
  EXPECT_EQ(result.return_value, 0u);
  EXPECT_EQ(host_value(*harness.runtime, 0, 3), 77u);
}

TEST(InterpMaps, HelperGivenAReturnedFramesPointerFaults) {
  // A callee returns a pointer into its own frame; after the return, the key is dead stack.
  std::vector<Instruction> program = {call_local(5)};    // 0 -> 6
  program.push_back(mov64_reg(2, 0));                    // 1
  lddw(program, 1, 0, kLddwMapFd);                       // 2-3
  program.push_back(call_helper(kHelperMapLookupElem));  // 4
  program.push_back(exit_insn());                        // 5
  program.push_back(st(kSizeW, 10, -4, 1));              // 6
  program.push_back(mov64_reg(0, 10));
  program.push_back(alu64_imm(kAluAdd, 0, -4));
  program.push_back(exit_insn());
  Harness harness(object_with_maps(program, {array_map("counters", 8, 4)}));
  const ExecutionResult result = harness.raw();
  ASSERT_TRUE(result.aborted);
  EXPECT_THAT(result.diagnostic, HasSubstr("insn 4: helper map_lookup_elem"));
}

}  // namespace
}  // namespace nicsim::ebpf::test
