// The conformance library on its own: hex and number parsing, the .data file format, the
// assembled-suite reader, the engine-agnostic runner (with scripted fake engines) and the
// plugin's argument handling, run in-process.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "ebpf/conformance/assembled_suite.h"
#include "ebpf/conformance/hex.h"
#include "ebpf/conformance/plugin.h"
#include "ebpf/conformance/runner.h"
#include "ebpf/conformance/test_file.h"
#include "ebpf/util/error.h"

namespace nicsim::ebpf::conformance {
namespace {

using ::testing::HasSubstr;

// ---- hex ----

TEST(ConformanceHex, ParsesWhitespaceSeparatedBytes) {
  EXPECT_EQ(parse_hex_bytes("00 ff\n 1a\t7F", "t"), (std::vector<uint8_t>{0x00, 0xff, 0x1a, 0x7f}));
  EXPECT_EQ(parse_hex_bytes("b7000000  01", "t"),
            (std::vector<uint8_t>{0xb7, 0x00, 0x00, 0x00, 0x01}));
  EXPECT_TRUE(parse_hex_bytes(" \n ", "t").empty());
}

TEST(ConformanceHex, RefusesMalformedBytes) {
  EXPECT_THROW(parse_hex_bytes("0", "t"), Error);
  EXPECT_THROW(parse_hex_bytes("zz", "t"), Error);
  EXPECT_THROW(parse_hex_bytes("0x12", "t"), Error);
  try {
    parse_hex_bytes("00 1g", "memory argument");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "memory argument: '1g' is not hexadecimal");
  }
}

TEST(ConformanceHex, InstructionsFromBytes) {
  // mov32 r0, 2 ; exit
  const std::vector<uint8_t> bytes = parse_hex_bytes("b400000002000000 9500000000000000", "t");
  const auto insns = instructions_from_bytes(bytes, "t");
  ASSERT_EQ(insns.size(), 2u);
  EXPECT_EQ(insns[0].opcode, 0xb4);
  EXPECT_EQ(insns[0].imm, 2);
  EXPECT_TRUE(insns[1].is_exit());
  EXPECT_THROW(instructions_from_bytes(std::vector<uint8_t>(7), "t"), Error);
}

TEST(ConformanceHex, Numbers) {
  EXPECT_EQ(parse_number("0x10", "t"), 16u);
  EXPECT_EQ(parse_number("42", "t"), 42u);
  EXPECT_EQ(parse_number(" 0xFFFFFFF6 ", "t"), 0xfffffff6u);
  EXPECT_EQ(parse_number("0xffffffffffffffff", "t"), ~uint64_t{0});
  EXPECT_THROW(parse_number("12a", "t"), Error);
  EXPECT_THROW(parse_number("0x", "t"), Error);
  EXPECT_THROW(parse_number("0x1ffffffffffffffff", "t"), Error);
  EXPECT_THROW(parse_number("", "t"), Error);
}

// ---- .data files ----

constexpr const char* kFullTest = R"(# Copyright notice
# SPDX-License-Identifier: MIT
-- c
#include <stdint.h>
uint64_t entry(void) { return 3; }
-- asm
mov32 %r0, 1   # a comment
add32 %r0, 2

exit
-- mem
00 01 02
ff
-- raw
0x00000001000000b4
0x0000000200000004
149
-- result
0x3
-- no register offset
call instruction
)";

TEST(ConformanceTestFile, ParsesEverySection) {
  const ConformanceTest test = parse_conformance_test(kFullTest, "full.data");
  EXPECT_EQ(test.name, "full.data");
  EXPECT_EQ(test.assembly, "mov32 %r0, 1\nadd32 %r0, 2\nexit\n");
  EXPECT_EQ(test.memory, (std::vector<uint8_t>{0x00, 0x01, 0x02, 0xff}));
  ASSERT_TRUE(test.expected_result.has_value());
  EXPECT_EQ(*test.expected_result, 3u);
  EXPECT_TRUE(test.expected_error.empty());
  ASSERT_EQ(test.raw.size(), 3u);
  EXPECT_EQ(test.raw[0].opcode, 0xb4);
  EXPECT_EQ(test.raw[0].imm, 1);
  EXPECT_EQ(test.raw[1].opcode, 0x04);
  EXPECT_EQ(test.raw[1].imm, 2);
  EXPECT_TRUE(test.raw[2].is_exit()) << "decimal 149 is 0x95";
}

TEST(ConformanceTestFile, ErrorSection) {
  const ConformanceTest test =
      parse_conformance_test("-- asm\nja +5\n-- error\nFailed to load program\n", "e.data");
  EXPECT_FALSE(test.expected_result.has_value());
  EXPECT_EQ(test.expected_error, "Failed to load program");
}

TEST(ConformanceTestFile, RefusesMalformedFiles) {
  try {
    parse_conformance_test("-- asm\nexit\n-- bogus\n-- result\n0x1\n", "bad.data");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "bad.data:3: unknown section '-- bogus'");
  }
  EXPECT_THROW(parse_conformance_test("-- asm\nexit\n", "none.data"), Error);
  EXPECT_THROW(parse_conformance_test("exit\n-- result\n0x1\n", "early.data"), Error);
  EXPECT_THROW(parse_conformance_test("-- asm\nexit\n-- mem\n0g\n-- result\n1\n", "mem.data"),
               Error);
  EXPECT_THROW(parse_conformance_test("-- asm\nexit\n-- result\nabc\n", "result.data"), Error);
  EXPECT_THROW(load_conformance_test("/nonexistent/x.data"), Error);
  EXPECT_THROW(find_conformance_tests("/nonexistent"), Error);
}

// ---- assembled suite ----

TEST(ConformanceAssembledSuite, ParsesRecords) {
  const AssembledSuite suite = AssembledSuite::parse(
      R"({"name":"a.data","insns":["b400000003000000","9500000000000000"],"ok":true}
{"name":"b.data","insns":[]}
)",
      "suite.jsonl");
  EXPECT_EQ(suite.size(), 2u);
  const auto* a = suite.find("a.data");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->size(), 2u);
  EXPECT_EQ((*a)[0].imm, 3);
  EXPECT_EQ(suite.find("c.data"), nullptr);
}

TEST(ConformanceAssembledSuite, RefusesMalformedRecords) {
  EXPECT_THROW(AssembledSuite::parse("not json\n", "s"), Error);
  EXPECT_THROW(AssembledSuite::parse(R"({"name":"a.data"})", "s"), Error);
  EXPECT_THROW(AssembledSuite::parse(R"({"name":"a.data","insns":["b4000000"]})", "s"), Error);
  EXPECT_THROW(AssembledSuite::parse(R"({"name":"a.data","insns":["zz00000000000000"]})", "s"),
               Error);
  try {
    AssembledSuite::parse(
        "{\"name\":\"a.data\",\"insns\":[]}\n{\"name\":\"a.data\",\"insns\":[]}\n", "s.jsonl");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "s.jsonl:2: test 'a.data' appears twice");
  }
}

TEST(ConformanceRunner, MakeCasePrefersTheAssembledProgram) {
  const AssembledSuite suite = AssembledSuite::parse(
      R"({"name":"full.data","insns":["b700000007000000","9500000000000000"]})", "s");
  ConformanceTest test = parse_conformance_test(kFullTest, "full.data");
  ConformanceCase c = make_case(test, suite);
  ASSERT_EQ(c.instructions.size(), 2u);
  EXPECT_EQ(c.instructions[0].imm, 7);
  EXPECT_EQ(c.memory, test.memory);
  test.name = "other.data";  // not in the suite: the raw section is used
  c = make_case(test, suite);
  EXPECT_EQ(c.instructions, test.raw);
  test.raw.clear();
  EXPECT_THROW(make_case(test, suite), Error);
}

// ---- runner, with scripted engines ----

// What a scripted engine saw; outlives the engine, which run_case destroys.
struct Observation {
  std::vector<uint8_t> memory;
  int runs = 0;
};

// Returns a fixed result; records the memory it was given and scribbles over it.
class ScriptedEngine : public Engine {
 public:
  ScriptedEngine(ExecutionResult result, std::shared_ptr<Observation> observation)
      : result_(std::move(result)), observation_(std::move(observation)) {}
  std::string_view name() const override { return "scripted"; }
  ExecutionResult run_xdp(XdpFrame&) override { return result_; }
  ExecutionResult run_raw(std::span<uint8_t> memory) override {
    observation_->memory.assign(memory.begin(), memory.end());
    ++observation_->runs;
    if (!memory.empty()) std::memset(memory.data(), 0xee, memory.size());
    return result_;
  }

 private:
  ExecutionResult result_;
  std::shared_ptr<Observation> observation_;
};

ConformanceCase simple_case(std::optional<uint64_t> expected, std::string error = {}) {
  ConformanceCase c;
  c.name = "case.data";
  c.instructions = {make_insn(kClassJmp | kJmpExit, 0, 0, 0, 0)};
  c.memory = {1, 2, 3};
  c.expected_result = expected;
  c.expected_error = std::move(error);
  return c;
}

EngineFactory returning(ExecutionResult result, std::shared_ptr<Observation> observation =
                                                    std::make_shared<Observation>()) {
  return
      [result, observation](const Program& program, Runtime& runtime) -> std::unique_ptr<Engine> {
        EXPECT_EQ(&program, &runtime.object().programs.front()) << "the program is the object's";
        return std::make_unique<ScriptedEngine>(result, observation);
      };
}

ExecutionResult finished_with(uint64_t r0) {
  ExecutionResult result;
  result.return_value = r0;
  return result;
}

ExecutionResult aborted_with(std::string diagnostic) {
  ExecutionResult result;
  result.aborted = true;
  result.diagnostic = std::move(diagnostic);
  return result;
}

TEST(ConformanceRunner, PassesOnTheExpectedR0) {
  const auto observation = std::make_shared<Observation>();
  const ConformanceCase c = simple_case(0x2a);
  const CaseOutcome outcome = run_case(c, returning(finished_with(0x2a), observation));
  EXPECT_TRUE(outcome.passed) << outcome.reason;
  EXPECT_EQ(outcome.return_value, 0x2au);
  EXPECT_EQ(observation->runs, 1);
  EXPECT_EQ(observation->memory, c.memory) << "the engine runs on the case's memory";
  EXPECT_EQ(c.memory, (std::vector<uint8_t>{1, 2, 3})) << "on a copy of it";
}

TEST(ConformanceRunner, FailsOnAnotherR0) {
  const CaseOutcome outcome = run_case(simple_case(0x2a), returning(finished_with(0x2b)));
  EXPECT_FALSE(outcome.passed);
  EXPECT_EQ(outcome.reason, "r0 = 0x2b, but the test expects 0x2a");
  EXPECT_EQ(outcome.return_value, 0x2bu);
}

TEST(ConformanceRunner, FailsOnAbort) {
  const CaseOutcome outcome =
      run_case(simple_case(1), returning(aborted_with("insn 0: invalid read")));
  EXPECT_FALSE(outcome.passed);
  EXPECT_EQ(outcome.reason, "aborted: insn 0: invalid read");
  EXPECT_FALSE(outcome.return_value.has_value());
}

TEST(ConformanceRunner, FailsWhenTheEngineRefusesTheProgram) {
  const EngineFactory refusing = [](const Program&, Runtime&) -> std::unique_ptr<Engine> {
    throw Error("insn 0: call to unknown helper 999");
  };
  const CaseOutcome outcome = run_case(simple_case(1), refusing);
  EXPECT_FALSE(outcome.passed);
  EXPECT_THAT(outcome.reason, HasSubstr("refused the program: insn 0: call to unknown helper 999"));
}

TEST(ConformanceRunner, ExpectedErrorPassesOnRefusalOrAbort) {
  const ConformanceCase c = simple_case(std::nullopt, "Failed to load");
  EXPECT_TRUE(run_case(c, returning(aborted_with("boom"))).passed);
  const EngineFactory refusing = [](const Program&, Runtime&) -> std::unique_ptr<Engine> {
    throw Error("bad program");
  };
  EXPECT_TRUE(run_case(c, refusing).passed);
  const CaseOutcome ran = run_case(c, returning(finished_with(0)));
  EXPECT_FALSE(ran.passed);
  EXPECT_THAT(ran.reason, HasSubstr("expects the error 'Failed to load'"));
}

// ---- plugin ----

std::vector<std::string> args(std::initializer_list<const char*> list) {
  return std::vector<std::string>(list.begin(), list.end());
}

TEST(ConformancePlugin, ArgumentForms) {
  PluginArguments parsed = parse_plugin_arguments(args({}));
  EXPECT_TRUE(parsed.memory.empty());
  EXPECT_EQ(parsed.engine, "interp");

  // Upstream's memory format: two spaces after each byte.
  parsed = parse_plugin_arguments(args({"00  01  ff  ", "--engine", "jit"}));
  EXPECT_EQ(parsed.memory, (std::vector<uint8_t>{0x00, 0x01, 0xff}));
  EXPECT_EQ(parsed.engine, "jit");

  // Options passed as one argument, and an empty argument.
  parsed = parse_plugin_arguments(args({"aa", "--engine jit", ""}));
  EXPECT_EQ(parsed.memory, (std::vector<uint8_t>{0xaa}));
  EXPECT_EQ(parsed.engine, "jit");

  parsed = parse_plugin_arguments(args({"--engine=nic"}));
  EXPECT_TRUE(parsed.memory.empty()) << "without memory, the options come first";
  EXPECT_EQ(parsed.engine, "nic");

  EXPECT_TRUE(parse_plugin_arguments(args({"--help"})).help);
  EXPECT_THROW(parse_plugin_arguments(args({"--elf"})), Error);
  EXPECT_THROW(parse_plugin_arguments(args({"--engine"})), Error);
  EXPECT_THROW(parse_plugin_arguments(args({"--bogus"})), Error);
  EXPECT_THROW(parse_plugin_arguments(args({"aa", "bb"})), Error);
  EXPECT_THROW(parse_plugin_arguments(args({"xyz"})), Error);
}

struct PluginRun {
  int status;
  std::string out;
  std::string err;
};

PluginRun run_in_process(std::vector<std::string> arguments, const std::string& input,
                         const std::vector<NamedEngine>& engines) {
  std::istringstream in(input);
  std::ostringstream out, err;
  const int status = run_plugin(arguments, in, out, err, engines);
  return {status, out.str(), err.str()};
}

TEST(ConformancePlugin, PrintsR0InHex) {
  const auto observation = std::make_shared<Observation>();
  const std::vector<NamedEngine> engines = {
      {"interp", returning(finished_with(0xdead), observation)}};
  const PluginRun run =
      run_in_process(args({"01  02  "}), "95  00  00  00  00  00  00  00  \n", engines);
  EXPECT_EQ(run.status, kPluginOk);
  EXPECT_EQ(run.out, "dead\n");
  EXPECT_EQ(run.err, "");
  EXPECT_EQ(observation->memory, (std::vector<uint8_t>{1, 2}));
}

TEST(ConformancePlugin, ReportsFailuresOnStderr) {
  const std::vector<NamedEngine> engines = {
      {"interp", returning(aborted_with("insn 3: invalid read"))},
      {"other", returning(finished_with(1))}};
  const std::string exit_program = "9500000000000000";

  PluginRun run = run_in_process(args({}), exit_program, engines);
  EXPECT_EQ(run.status, kPluginProgramFailed);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err, "aborted: insn 3: invalid read\n");

  run = run_in_process(args({"--engine", "other"}), exit_program, engines);
  EXPECT_EQ(run.status, kPluginOk);
  EXPECT_EQ(run.out, "1\n");

  run = run_in_process(args({"--engine", "nope"}), exit_program, engines);
  EXPECT_EQ(run.status, kPluginUsageError);
  EXPECT_EQ(run.err, "unknown engine 'nope' (available: interp, other)\n");

  run = run_in_process(args({}), "95 00", engines);
  EXPECT_EQ(run.status, kPluginUsageError);
  EXPECT_THAT(run.err, HasSubstr("not a whole number of 8-byte instructions"));

  run = run_in_process(args({}), "", engines);
  EXPECT_EQ(run.status, kPluginUsageError);
  EXPECT_THAT(run.err, HasSubstr("no instructions"));

  run = run_in_process(args({"--help"}), "", engines);
  EXPECT_EQ(run.status, kPluginOk);
  EXPECT_THAT(run.out, HasSubstr("usage: nicsim-conformance-plugin"));
}

}  // namespace
}  // namespace nicsim::ebpf::conformance
