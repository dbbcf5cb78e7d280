// bpf_tail_call: chains through a prog_array, the limit of 33 per invocation, failed calls
// that fall through with a negative errno, tail calls from a subprogram and through callx,
// and the faults of a bad map argument or an undecodable target.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

#include "ebpf/interp/test/test_support.h"
#include "ebpf/runtime/helpers.h"
#include "ebpf/util/error.h"

namespace nicsim::ebpf::test {
namespace {

using ::testing::HasSubstr;

constexpr uint32_t kJumpTable = 0;  // map index of the prog_array
constexpr uint32_t kCounters = 1;   // map index of an array holding one u64

Program program_named(std::string name, std::vector<Instruction> insns) {
  Program program;
  program.section = "xdp/" + name;
  program.function = name;
  program.type = ProgramType::Xdp;
  program.insns = std::move(insns);
  return program;
}

MapDefinition map_def(std::string name, MapType type, uint32_t value_size, uint32_t entries) {
  MapDefinition def;
  def.name = std::move(name);
  def.type = type;
  def.key_size = 4;
  def.value_size = value_size;
  def.max_entries = entries;
  return def;
}

// The object: `programs`, a 4-slot prog_array and a one-value counter array.
ElfObject tail_call_object(std::vector<Program> programs) {
  ElfObject object;
  object.path = "tail_calls.o";
  object.maps = {map_def("jump_table", MapType::ProgArray, 4, 4),
                 map_def("counters", MapType::Array, 8, 1)};
  object.programs = std::move(programs);
  return object;
}

void set_slot(Runtime& runtime, uint32_t slot, uint32_t program) {
  ASSERT_EQ(runtime.map(kJumpTable).host_update(&slot, &program, kMapUpdateAny), 0);
}

// bpf_tail_call(ctx, &jump_table, slot); then exit with whatever r0 holds (the errno when
// the call fell through).
std::vector<Instruction> tail_call_to(int32_t slot) {
  std::vector<Instruction> insns;
  lddw(insns, 2, kJumpTable, kLddwMapFd);
  insns.push_back(mov64_imm(3, slot));
  insns.push_back(call_helper(kHelperTailCall));
  insns.push_back(exit_insn());
  return insns;
}

std::vector<Instruction> returning(int32_t value) {
  return {mov64_imm(0, value), exit_insn()};
}

uint64_t errno_result(int error) {
  return static_cast<uint64_t>(-static_cast<int64_t>(error));
}

TEST(InterpTailCall, ChainOfTwo) {
  Harness harness(
      tail_call_object({program_named("a", tail_call_to(0)), program_named("b", tail_call_to(1)),
                        program_named("c", returning(42))}));
  set_slot(*harness.runtime, 0, 1);
  set_slot(*harness.runtime, 1, 2);
  const ExecutionResult result = harness.raw();
  ASSERT_FALSE(result.aborted) << result.diagnostic;
  EXPECT_EQ(result.return_value, 42u);
  EXPECT_EQ(result.tail_calls, 2u);
  EXPECT_EQ(result.instructions, 3u + 3u + 2u) << "lddw, mov, call in a and b; mov, exit in c";
}

TEST(InterpTailCall, EmptyOrOutOfRangeSlotFallsThrough) {
  Harness empty(
      tail_call_object({program_named("a", tail_call_to(3)), program_named("b", returning(1))}));
  ExecutionResult result = empty.raw();
  ASSERT_FALSE(result.aborted) << result.diagnostic;
  EXPECT_EQ(result.return_value, errno_result(ENOENT));
  EXPECT_EQ(result.tail_calls, 0u);

  Harness out_of_range(
      tail_call_object({program_named("a", tail_call_to(4)), program_named("b", returning(1))}));
  set_slot(*out_of_range.runtime, 0, 1);
  result = out_of_range.raw();
  EXPECT_EQ(result.return_value, errno_result(ENOENT));
  // The index is a u32: -1 is slot 0xffffffff, not slot 0 counted from the end.
  Harness negative(
      tail_call_object({program_named("a", tail_call_to(-1)), program_named("b", returning(1))}));
  set_slot(*negative.runtime, 0, 1);
  EXPECT_EQ(negative.raw().return_value, errno_result(ENOENT));
}

TEST(InterpTailCall, LimitOf33PerInvocation) {
  // Counts its own runs in counters[0], then tail-calls itself.
  std::vector<Instruction> insns;
  lddw(insns, 1, kCounters, kLddwMapValue);
  insns.push_back(mov64_imm(2, 1));
  insns.push_back(atomic(kSizeDw, kAtomicAdd, 1, 2, 0));
  const auto tail = tail_call_to(0);
  insns.insert(insns.end(), tail.begin(), tail.end());
  Harness harness(tail_call_object({program_named("self", insns)}));
  set_slot(*harness.runtime, 0, 0);

  ExecutionResult result = harness.raw();
  ASSERT_FALSE(result.aborted) << result.diagnostic;
  EXPECT_EQ(result.tail_calls, 33u);
  EXPECT_EQ(result.return_value, errno_result(E2BIG)) << "the 34th tail call fails";
  uint64_t runs = 0;
  const uint32_t key = 0;
  ASSERT_EQ(harness.runtime->map(kCounters).host_lookup(&key, &runs), 0);
  EXPECT_EQ(runs, 34u) << "the entry run and 33 tail-called runs";

  // The limit is per invocation.
  result = harness.raw();
  EXPECT_EQ(result.tail_calls, 33u);
  ASSERT_EQ(harness.runtime->map(kCounters).host_lookup(&key, &runs), 0);
  EXPECT_EQ(runs, 68u);
}

TEST(InterpTailCall, FromASubprogramReturnsToItsCaller) {
  std::vector<Instruction> insns = {call_local(3), alu64_imm(kAluAdd, 0, 1000), exit_insn(),
                                    mov64_imm(0, 0)};
  const auto tail = tail_call_to(0);  // the subprogram, from insn 4
  insns.insert(insns.end(), tail.begin(), tail.end());
  Harness harness(tail_call_object({program_named("a", insns), program_named("b", returning(5))}));
  set_slot(*harness.runtime, 0, 1);
  const ExecutionResult result = harness.raw();
  ASSERT_FALSE(result.aborted) << result.diagnostic;
  EXPECT_EQ(result.return_value, 1005u);
}

TEST(InterpTailCall, ThroughCallx) {
  std::vector<Instruction> insns;
  lddw(insns, 2, kJumpTable, kLddwMapFd);
  insns.push_back(mov64_imm(3, 0));
  insns.push_back(mov64_imm(4, kHelperTailCall));
  insns.push_back(callx(4));
  insns.push_back(exit_insn());
  Harness harness(tail_call_object({program_named("a", insns), program_named("b", returning(9))}));
  set_slot(*harness.runtime, 0, 1);
  const ExecutionResult result = harness.raw();
  EXPECT_EQ(result.return_value, 9u);
  EXPECT_EQ(result.tail_calls, 1u);
}

TEST(InterpTailCall, FaultInTheTargetNamesIt) {
  Harness harness(
      tail_call_object({program_named("a", tail_call_to(0)),
                        program_named("b", {mov64_imm(1, 0), ldx(kSizeW, 0, 1, 0), exit_insn()})}));
  set_slot(*harness.runtime, 0, 1);
  const ExecutionResult result = harness.raw();
  ASSERT_TRUE(result.aborted);
  EXPECT_THAT(result.diagnostic, HasSubstr("insn 1 of 'xdp/b/b': invalid read of 4 bytes at 0x0"));
}

TEST(InterpTailCall, BadMapArgumentFaults) {
  std::vector<Instruction> insns = {mov64_imm(2, 0), mov64_imm(3, 0), call_helper(kHelperTailCall),
                                    exit_insn()};
  Harness harness(tail_call_object({program_named("a", insns)}));
  ExecutionResult result = harness.raw();
  ASSERT_TRUE(result.aborted);
  EXPECT_THAT(result.diagnostic,
              HasSubstr("insn 2: helper tail_call: r2 = 0x0 is not a prog_array"));
  // An ordinary array is not a jump table either.
  insns = {};
  lddw(insns, 2, kCounters, kLddwMapFd);
  insns.push_back(mov64_imm(3, 0));
  insns.push_back(call_helper(kHelperTailCall));
  insns.push_back(exit_insn());
  Harness array(tail_call_object({program_named("a", insns)}));
  result = array.raw();
  ASSERT_TRUE(result.aborted);
  EXPECT_THAT(result.diagnostic, HasSubstr("is not a prog_array map"));
}

TEST(InterpTailCall, UndecodableTargetFaults) {
  Harness harness(tail_call_object(
      {program_named("a", tail_call_to(0)), program_named("b", {call_helper(999), exit_insn()})}));
  set_slot(*harness.runtime, 0, 1);
  const ExecutionResult result = harness.raw();
  ASSERT_TRUE(result.aborted);
  EXPECT_THAT(result.diagnostic,
              HasSubstr("tail call to 'xdp/b/b', which nicsim cannot run: insn 0: call to unknown "
                        "helper 999"));
}

TEST(InterpTailCall, BudgetSpansTailCalls) {
  InterpreterOptions options;
  options.instruction_budget = 5;
  Harness harness(
      tail_call_object({program_named("a", tail_call_to(0)), program_named("b", tail_call_to(1)),
                        program_named("c", returning(42))}),
      0, options);
  set_slot(*harness.runtime, 0, 1);
  set_slot(*harness.runtime, 1, 2);
  const ExecutionResult result = harness.raw();
  ASSERT_TRUE(result.aborted);
  EXPECT_EQ(result.instructions, 5u);
  EXPECT_THAT(result.diagnostic, HasSubstr("insn 3 of 'xdp/b/b': instruction budget of 5"));
}

}  // namespace
}  // namespace nicsim::ebpf::test
