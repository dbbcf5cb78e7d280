#pragma once
// The fixture of the suites written once for every JIT backend: a test is instantiated per
// target (GetParam() is its name) and compares the target with the interpreter.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ebpf/asm/assembler.h"
#include "jit/test/jit_test_support.h"

namespace nicsim::jit::test {

using ebpf::assemble;

class JitTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { NICSIM_REQUIRE_RUNNABLE(target()); }
  const JitTarget& target() const { return jit_target(GetParam()); }

  // The interpreter and the target agree on every input; returns the target's results.
  std::vector<ebpf::ExecutionResult> expect_same(const ebpf::ElfObject& object,
                                                 std::vector<DifferentialInput> inputs,
                                                 JitOptions options = {}, size_t program = 0,
                                                 const ProgramFacts* facts = nullptr) const {
    const DifferentialReport report = compare_engines(
        object, program, inputs, interpreter_factory(), jit_factory(target(), options, facts));
    EXPECT_TRUE(report.equal) << target().name << ": " << report.difference;
    return report.candidate_results;
  }
  std::vector<ebpf::ExecutionResult> expect_same(
      std::vector<ebpf::Instruction> insns, std::vector<DifferentialInput> inputs,
      JitOptions options = {}, ebpf::ProgramType type = ebpf::ProgramType::Unspec) const {
    return expect_same(ebpf::make_single_program_object(std::move(insns), type), std::move(inputs),
                       options);
  }
  std::vector<ebpf::ExecutionResult> expect_same(
      std::string_view source, std::vector<DifferentialInput> inputs, JitOptions options = {},
      ebpf::ProgramType type = ebpf::ProgramType::Unspec) const {
    return expect_same(ebpf::assemble(source), std::move(inputs), options, type);
  }
};

// A program run on one target alone, in its own world.
struct JitRun {
  JitRun(const JitTarget& target, std::vector<ebpf::Instruction> insns, JitOptions options = {},
         ebpf::ProgramType type = ebpf::ProgramType::Unspec)
      : object(ebpf::make_single_program_object(std::move(insns), type)),
        runtime(object),
        engine(target.make(object.programs[0], runtime, options, nullptr)) {}
  JitRun(const JitTarget& target, std::string_view source, JitOptions options = {},
         ebpf::ProgramType type = ebpf::ProgramType::Unspec)
      : JitRun(target, ebpf::assemble(source), options, type) {}

  ebpf::ExecutionResult raw(std::vector<uint8_t>& memory) { return engine->run_raw(memory); }
  ebpf::ExecutionResult raw() { return engine->run_raw({}); }

  ebpf::ElfObject object;
  ebpf::Runtime runtime;
  std::unique_ptr<JitEngine> engine;
};

#define NICSIM_INSTANTIATE_FOR_EVERY_TARGET(suite)                              \
  INSTANTIATE_TEST_SUITE_P(Targets, suite, ::testing::ValuesIn(target_names()), \
                           [](const auto& info) { return info.param; })

}  // namespace nicsim::jit::test
