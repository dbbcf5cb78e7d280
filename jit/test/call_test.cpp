// Calls on the JIT backends against the interpreter: helpers (and their faults), bpf-to-bpf calls
// with their own frames and the depth limit, callx (code addresses and helper ids), tail
// calls (to programs compiled on first use, which the emulator maps when it first fetches from
// them) and their limit, and the instruction budget.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ebpf/runtime/helpers.h"
#include "jit/test/jit_fixture.h"

namespace nicsim::jit::test {
namespace {

class JitCalls : public JitTest {};

using ebpf::kHelperGetPrandomU32;
using ebpf::kHelperGetSmpProcessorId;
using ebpf::kHelperKtimeGetNs;
using ebpf::kHelperTailCall;

TEST_P(JitCalls, HelpersSeeArgumentsAndPreserveR1ToR5) {
  const std::string p =
      fmt::format(R"(
    r6 = 0
    call {0}
    r6 += r0
    call {1}
    r6 ^= r0
    call {2}
    r6 += r0
    r1 = 11
    r2 = 22
    r3 = 33
    r4 = 44
    r5 = 55
    call {1}
    r6 += r1
    r6 += r2
    r6 += r3
    r6 += r4
    r6 += r5
    r0 = r6
    exit
  )",
                  kHelperKtimeGetNs, kHelperGetPrandomU32, kHelperGetSmpProcessorId);
  // The interpreter leaves r1..r5 alone across helper calls; so does checked JIT code.
  expect_same(p, {raw_input(), raw_input(), raw_input()});
}

ebpf::MapDefinition hash_map(const char* name) {
  ebpf::MapDefinition map;
  map.name = name;
  map.type = ebpf::MapType::Hash;
  map.key_size = map.value_size = 8;
  map.max_entries = 4;
  return map;
}

TEST_P(JitCalls, HelperFaultAbortsWithTheHelpersMessage) {
  ebpf::ElfObject object = ebpf::make_single_program_object(assemble(
      fmt::format("r1 = map[id:0]\nr2 = 12345\ncall {}\nexit", ebpf::kHelperMapLookupElem)));
  object.maps.push_back(hash_map("m"));
  const auto results = expect_same(object, {raw_input()});
  EXPECT_TRUE(results.at(0).aborted);
  EXPECT_NE(results[0].diagnostic.find("insn 3:"), std::string::npos) << results[0].diagnostic;
}

TEST_P(JitCalls, LocalCallsHaveTheirOwnFramesAndKeepR6ToR9) {
  const char* p = R"(
    r6 = 6
    r7 = 7
    r8 = 8
    r9 = 9
    *(u64 *)(r10 - 8) = 1000
    r1 = r10
    r1 += -8
    r2 = 3
    call f
    r2 = *(u64 *)(r10 - 8)
    r0 += r2
    r0 += r6
    r0 += r7
    r0 += r8
    r0 += r9
    exit
  f:
    r6 = 60
    r7 = 70
    r8 = 80
    r9 = 90
    *(u64 *)(r10 - 8) = 5
    r3 = *(u64 *)(r1 + 0)
    r3 += r2
    *(u64 *)(r1 + 0) = r3
    r0 = 0
    if r2 == 0 goto ret
    r2 -= 1
    call f
  ret:
    r4 = *(u64 *)(r10 - 8)
    r0 += r4
    exit
  )";
  expect_same(p, {raw_input()});
}

TEST_P(JitCalls, CallDepthLimitAborts) {
  for (int depth : {6, 7, 8, 9}) {
    const std::string p = fmt::format(R"(
      r1 = {}
      call f
      exit
    f:
      r0 = 1
      if r1 == 0 goto ret
      r1 -= 1
      call f
      r0 += 1
    ret:
      exit
    )",
                                      depth);
    SCOPED_TRACE(fmt::format("recursion depth {}", depth));
    const auto results = expect_same(p, {raw_input()});
    EXPECT_EQ(results.at(0).aborted, depth >= 7) << results[0].diagnostic;
    if (depth >= 7) {
      EXPECT_NE(results[0].diagnostic.find("call depth exceeded"), std::string::npos)
          << results[0].diagnostic;
    }
  }
}

TEST_P(JitCalls, ReturnedFramesAreNoLongerAccessible) {
  const char* p = R"(
    call f
    r0 = *(u64 *)(r0 + 0)
    exit
  f:
    r0 = r10
    r0 += -8
    *(u64 *)(r0 + 0) = 1
    exit
  )";
  const auto results = expect_same(p, {raw_input()});
  EXPECT_TRUE(results.at(0).aborted);
}

TEST_P(JitCalls, CallxToFunctionAddressesAndHelperIds) {
  const std::string p = fmt::format(R"(
    r6 = func[double]
    r1 = 21
    callx r6
    r7 = r0
    r8 = {}
    callx r8
    r7 += r0
    r0 = r7
    exit
  double:
    r0 = r1
    r0 += r1
    exit
  )",
                                    kHelperGetSmpProcessorId);
  const auto results = expect_same(p, {raw_input()});
  EXPECT_EQ(results.at(0).return_value, 42u);

  // Bad targets abort with the interpreter's diagnostics: an unknown helper id, a helper the
  // kernel has and nicsim does not, an address that is no function, -1.
  int32_t unimplemented = 1;
  while (ebpf::helper_name(unimplemented).empty() || ebpf::find_helper(unimplemented) != nullptr)
    ++unimplemented;
  for (uint64_t target : {uint64_t{9999}, static_cast<uint64_t>(unimplemented),
                          uint64_t{0x7f0000001234}, ~uint64_t{0}}) {
    SCOPED_TRACE(fmt::format("callx {:#x}", target));
    const auto bad =
        expect_same(fmt::format("r2 = {:#x} ll\ncallx r2\nexit", target), {raw_input()});
    EXPECT_TRUE(bad.at(0).aborted);
  }
}

// prog 0 tail-calls through slot r6 of the prog_array (map 0); prog 1 adds 100 and exits; prog
// 2 tail-calls itself forever (until the limit makes the call fall through).
ebpf::ElfObject tail_call_object() {
  ebpf::ElfObject object;
  object.path = "tail";
  ebpf::MapDefinition jump_table;
  jump_table.name = "jump_table";
  jump_table.type = ebpf::MapType::ProgArray;
  jump_table.key_size = jump_table.value_size = 4;
  jump_table.max_entries = 4;
  jump_table.initial_slots = {{1, "one"}, {2, "loop"}};
  object.maps.push_back(jump_table);
  auto add = [&](const std::string& name, const std::string& text) {
    ebpf::Program program;
    program.section = "xdp";
    program.function = name;
    program.type = ebpf::ProgramType::Xdp;
    program.insns = assemble(text);
    program.functions = {{0, name}};
    object.programs.push_back(std::move(program));
  };
  add("entry", fmt::format(R"(
    r6 = *(u32 *)(r1 + 0)
    r7 = *(u32 *)(r1 + 4)
    r8 = r7
    r8 -= r6
    r9 = r6
    r6 = 0
    if r8 < 1 goto go
    r6 = *(u8 *)(r9 + 0)
  go:
    r0 = 7
    r2 = map[id:0]
    r3 = r6
    call {}
    r0 += 1000
    exit
  )",
                           kHelperTailCall));
  add("one", "r0 += 100\nexit");
  add("loop", fmt::format("r0 += 1\nr2 = map[id:0]\nr3 = 2\ncall {}\nr6 = r0\nr6 <<= 8\nexit",
                          kHelperTailCall));
  return object;
}

TEST_P(JitCalls, TailCallsJumpFallThroughAndStopAtTheLimit) {
  const ebpf::ElfObject object = tail_call_object();
  std::vector<DifferentialInput> inputs;
  for (uint8_t slot : {0, 1, 2, 3, 4, 200, 1, 2})
    inputs.push_back(xdp_input({slot, 1, 2, 3, 4, 5}));
  const auto results = expect_same(object, inputs);
  ASSERT_EQ(results.size(), inputs.size());
  EXPECT_EQ(results[1].tail_calls, 1u);
  EXPECT_EQ(results[1].return_value, 107u);  // 7 + 100
  EXPECT_EQ(results[2].tail_calls, 33u);     // the kernel's limit
  EXPECT_EQ(results[6].return_value, 107u);  // programs compiled on first use stay mapped
}

TEST_P(JitCalls, TailCallThroughSomethingElseAborts) {
  ebpf::ElfObject object = tail_call_object();
  object.programs[1].insns =
      assemble(fmt::format("r2 = 5\nr3 = 0\ncall {}\nexit", kHelperTailCall));
  const auto results = expect_same(object, {xdp_input({1, 0, 0, 0})});
  EXPECT_TRUE(results.at(0).aborted);
  EXPECT_NE(results[0].diagnostic.find("of 'xdp/one'"), std::string::npos) << results[0].diagnostic;
}

TEST_P(JitCalls, FaultInATailCalledProgramThatSavesOtherRegisters) {
  // The entry may tail-call, so its prologue saves every register; the target names only r0
  // and r2, so its own prologue would save fewer: leaving from it must restore the entry's.
  ebpf::ElfObject object = tail_call_object();
  object.programs[1].insns = assemble("r2 = 0\nr0 = *(u64 *)(r2 + 0)\nexit");
  const auto results = expect_same(object, {xdp_input({1, 0, 0, 0}), xdp_input({1, 0, 0, 0})});
  for (const auto& result : results) {
    EXPECT_TRUE(result.aborted);
    EXPECT_NE(result.diagnostic.find("insn 1 of 'xdp/one'"), std::string::npos)
        << result.diagnostic;
  }
}

TEST_P(JitCalls, CallxWithTheTailCallHelperId) {
  ebpf::ElfObject object = tail_call_object();
  object.programs[0].insns = assemble(
      fmt::format("r0 = 1\nr2 = map[id:0]\nr3 = 1\nr4 = {}\ncallx r4\nexit", kHelperTailCall));
  const auto results = expect_same(object, {xdp_input({0, 0})});
  EXPECT_EQ(results.at(0).return_value, 101u);
}

TEST_P(JitCalls, InstructionBudgetStopsEndlessLoops) {
  const auto results =
      expect_same("r0 = 0\ntop:\nr0 += 1\n*(u64 *)(r10 - 8) = 0\ngoto top", {raw_input()});
  EXPECT_TRUE(results.at(0).aborted);
  EXPECT_EQ(results[0].instructions, 1'000'000u);

  // A loop that finishes inside the budget counts exactly as the interpreter does, and a
  // smaller budget stops where the interpreter stops.
  const char* counted = R"(
    r0 = 0
    r1 = 5000
  top:
    r0 += 3
    r1 -= 1
    if r1 != 0 goto top
    call f
    exit
  f:
    r2 = 10
  again:
    r2 -= 1
    if r2 s> 0 goto again
    exit
  )";
  expect_same(counted, {raw_input()});
  for (uint64_t budget : {uint64_t{1}, uint64_t{2}, uint64_t{3}, uint64_t{100}, uint64_t{14999}}) {
    SCOPED_TRACE(fmt::format("budget {}", budget));
    JitOptions options;
    options.instruction_budget = budget;
    const ebpf::ElfObject object = ebpf::make_single_program_object(assemble(counted));
    ebpf::Runtime runtime(object);
    ebpf::InterpreterOptions interpreter_options;
    interpreter_options.instruction_budget = budget;
    ebpf::Interpreter interpreter(object.programs[0], runtime, interpreter_options);
    const ebpf::ExecutionResult expected = interpreter.run_raw({});
    ebpf::Runtime jit_runtime(object);
    const auto engine = target().make(object.programs[0], jit_runtime, options, nullptr);
    const ebpf::ExecutionResult actual = engine->run_raw({});
    EXPECT_EQ(actual.aborted, expected.aborted);
    EXPECT_EQ(actual.diagnostic, expected.diagnostic);
    EXPECT_EQ(actual.instructions, expected.instructions);
  }
}

TEST_P(JitCalls, RecursionWithoutEndHitsTheDepthLimitNotTheNativeStack) {
  const auto results = expect_same("f:\ncall f\nexit", {raw_input()});
  EXPECT_TRUE(results.at(0).aborted);
}

NICSIM_INSTANTIATE_FOR_EVERY_TARGET(JitCalls);

}  // namespace
}  // namespace nicsim::jit::test
