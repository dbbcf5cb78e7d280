// What every backend's engine promises beyond the results of single instructions: refusals
// worded as the interpreter's, a fault for running off the end, a clean state for every run,
// and Verified mode only with facts that describe the program.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ebpf/isa/opcodes.h"
#include "ebpf/runtime/helpers.h"
#include "jit/common/jit_error.h"
#include "jit/test/jit_fixture.h"

namespace nicsim::jit::test {
namespace {

using namespace ebpf;  // opcode constants

class JitFeatures : public JitTest {};

TEST_P(JitFeatures, CompileErrorsAreWordedAsTheInterpreters) {
  const std::vector<std::vector<Instruction>> programs = {
      assemble("call 99999\nexit"),
      assemble("call kfunc 42\nexit"),
      assemble("r1 = map[id:3]\nr0 = 0\nexit"),
      {make_insn(kClassStx | kModeAtomic | kSizeDw, 1, 10, 0, kAtomicAdd | kAtomicFetch),
       make_insn(kClassJmp | kJmpExit, 0, 0, 0, 0)},
      // lddw r2, func whose target (2 + imm + 1 = 1) is the second slot of the first lddw.
      assemble("r1 = 0 ll\nr2 = func[-2]\nexit"),
  };
  for (size_t i = 0; i < programs.size(); ++i) {
    const ebpf::ElfObject object = ebpf::make_single_program_object(programs[i]);
    ebpf::Runtime runtime(object);
    std::string interpreter_error, jit_error;
    try {
      ebpf::Interpreter interpreter(object.programs[0], runtime);
    } catch (const Error& e) {
      interpreter_error = e.what();
    }
    try {
      target().make(object.programs[0], runtime, {}, nullptr);
    } catch (const Error& e) {
      jit_error = e.what();
    }
    EXPECT_FALSE(jit_error.empty()) << "program " << i;
    EXPECT_EQ(jit_error, interpreter_error) << "program " << i;
  }
}

TEST_P(JitFeatures, RunningPastTheLastInstructionAborts) {
  const auto results = expect_same("r0 = 1\nr2 = 5 ll", {raw_input()});
  ASSERT_FALSE(results.empty());
  EXPECT_TRUE(results[0].aborted);
  EXPECT_EQ(results[0].diagnostic, "insn 3: execution ran past the last instruction");
}

TEST_P(JitFeatures, EveryRunStartsFromACleanState) {
  // Stack written by one run reads as zero in the next; registers start at zero.
  JitRun run(target(), R"(
    r0 = *(u64 *)(r10 - 8)
    r0 += r3
    r0 += r9
    *(u64 *)(r10 - 8) = 77
    r3 = 5
    r9 = 6
    exit
  )");
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(run.raw().return_value, 0u);
}

// Verified code whose verifier refused reads of uninitialised stack starts where the last
// run left the stack, as the kernel's JIT does (no clearing per run): the facts promise that
// no run can tell. The promise is false here on purpose, so that the stale value shows.
TEST_P(JitFeatures, VerifiedCodeKeepsTheStackWhenTheVerifierForbidsUninitialisedReads) {
  const ebpf::ElfObject object = ebpf::make_single_program_object(
      assemble("r0 = *(u64 *)(r10 - 8)\n*(u64 *)(r10 - 8) = 77\nexit"));
  JitOptions verified;
  verified.mode = SafetyMode::Verified;
  for (const bool promised : {false, true}) {
    ebpf::Runtime runtime(object);
    ProgramFacts facts;
    facts.insns.resize(object.programs[0].insns.size());
    facts.reads_only_written_stack = promised;
    auto engine = target().make(object.programs[0], runtime, verified, &facts);
    EXPECT_EQ(engine->run_raw({}).return_value, 0u);
    EXPECT_EQ(engine->run_raw({}).return_value, promised ? 77u : 0u) << "promised " << promised;
  }
}

// A program verified with allow_uninit_stack may read stack it has not written: every run
// must then start on zeros, as in the interpreter.
TEST_P(JitFeatures, VerifiedCodeAllowedUninitialisedReadsStartsOnAClearedStack) {
  const ebpf::ElfObject object = ebpf::make_single_program_object(
      assemble("r0 = *(u64 *)(r10 - 8)\n*(u64 *)(r10 - 8) = 77\nexit"), ProgramType::Xdp, "xdp");
  verifier::VerifierOptions options;
  options.allow_uninit_stack = true;
  const verifier::VerifiedProgram verified =
      verifier::verify_program(object, object.programs[0], options);
  ebpf::Runtime runtime(object);
  auto engine = target().make_verified(verified, runtime, {});
  for (int i = 0; i < 3; ++i) {
    XdpFrame frame(std::vector<uint8_t>(64, 0));
    EXPECT_EQ(engine->run_xdp(frame).return_value, 0u) << "run " << i;
  }
}

// A tail call enters a program compiled checked, which may read any stack byte of the frame
// it inherits: a verified program that may tail call still starts every run on zeros.
TEST_P(JitFeatures, VerifiedCodeThatMayTailCallStartsOnAClearedStack) {
  ebpf::ElfObject object;
  object.path = "tail";
  MapDefinition jump_table;
  jump_table.name = "jump_table";
  jump_table.type = MapType::ProgArray;
  jump_table.key_size = jump_table.value_size = 4;
  jump_table.max_entries = 1;
  jump_table.initial_slots = {{0, "reader"}};
  object.maps.push_back(jump_table);
  const auto add = [&](const std::string& name, const std::string& text) {
    Program program;
    program.section = "xdp";
    program.function = name;
    program.type = ProgramType::Xdp;
    program.insns = assemble(text);
    program.functions = {{0, name}};
    object.programs.push_back(std::move(program));
  };
  add("entry", fmt::format("r2 = map[id:0]\nr3 = 0\ncall {}\nr0 = 1\nexit", kHelperTailCall));
  add("reader", "r0 = *(u64 *)(r10 - 16)\n*(u64 *)(r10 - 16) = 77\nexit");
  const verifier::VerifiedProgram verified = verifier::verify_program(object, object.programs[0]);
  ebpf::Runtime runtime(object);
  auto engine = target().make_verified(verified, runtime, {});
  for (int i = 0; i < 3; ++i) {
    XdpFrame frame(std::vector<uint8_t>(64, 0));
    const ExecutionResult result = engine->run_xdp(frame);
    EXPECT_EQ(result.tail_calls, 1u);
    EXPECT_EQ(result.return_value, 0u) << "run " << i;
  }
}

TEST_P(JitFeatures, VerifiedModeNeedsMatchingFacts) {
  const ebpf::ElfObject object = ebpf::make_single_program_object(assemble("r0 = 0\nexit"));
  ebpf::Runtime runtime(object);
  JitOptions verified;
  verified.mode = SafetyMode::Verified;
  EXPECT_THROW(target().make(object.programs[0], runtime, verified, nullptr), JitError);
  ProgramFacts wrong;
  wrong.insns.resize(5);
  EXPECT_THROW(target().make(object.programs[0], runtime, verified, &wrong), JitError);
  // A context fact the JIT cannot translate is refused at compile time.
  const ebpf::ElfObject bad_object =
      ebpf::make_single_program_object(assemble("r0 = *(u16 *)(r1 + 2)\nexit"));
  ebpf::Runtime bad_runtime(bad_object);
  ProgramFacts facts;
  facts.insns = {{true, PointerKind::Context, true}, {}};
  EXPECT_THROW(target().make(bad_object.programs[0], bad_runtime, verified, &facts), JitError);
}

NICSIM_INSTANTIATE_FOR_EVERY_TARGET(JitFeatures);

}  // namespace
}  // namespace nicsim::jit::test
