// What every backend's engine promises beyond the results of single instructions: refusals
// worded as the interpreter's, a fault for running off the end, a clean state for every run,
// and Verified mode only with facts that describe the program.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ebpf/isa/opcodes.h"
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
