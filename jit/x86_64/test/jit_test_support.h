#pragma once
// Shared by the x86-64 JIT tests: engine factories, and running the same program on the
// interpreter (the golden model) and on the JIT with a test failure naming the first
// difference.

#include <gtest/gtest.h>

#include <memory>
#include <span>
#include <vector>

#include "ebpf/interp/interpreter.h"
#include "ebpf/program/program.h"
#include "ebpf/runtime/runtime.h"
#include "jit/common/differential.h"
#include "jit/test/jit_test_support.h"  // interpreter_factory, raw_input, xdp_input
#include "jit/x86_64/x86_compiler.h"

namespace nicsim::jit::test {

inline EngineFactory x86_factory(JitOptions options = {}, const ProgramFacts* facts = nullptr) {
  return [options, facts](const ebpf::Program& program,
                          ebpf::Runtime& runtime) -> std::unique_ptr<ebpf::Engine> {
    return make_x86_64_engine(program, runtime, options, facts);
  };
}

// The interpreter and the JIT agree on every input; returns the JIT's results.
inline std::vector<ebpf::ExecutionResult> expect_same(const ebpf::ElfObject& object,
                                                      std::vector<DifferentialInput> inputs,
                                                      JitOptions options = {}, size_t program = 0,
                                                      const ProgramFacts* facts = nullptr) {
  const DifferentialReport report =
      compare_engines(object, program, inputs, interpreter_factory(), x86_factory(options, facts));
  EXPECT_TRUE(report.equal) << report.difference;
  return report.candidate_results;
}

inline std::vector<ebpf::ExecutionResult> expect_same(std::vector<ebpf::Instruction> insns,
                                                      std::vector<DifferentialInput> inputs,
                                                      JitOptions options = {}) {
  const ebpf::ElfObject object = ebpf::make_single_program_object(std::move(insns));
  return expect_same(object, std::move(inputs), options);
}

// A program run on the JIT alone, in its own world.
struct JitRun {
  explicit JitRun(std::vector<ebpf::Instruction> insns, JitOptions options = {},
                  ebpf::ProgramType type = ebpf::ProgramType::Unspec)
      : object(ebpf::make_single_program_object(std::move(insns), type)),
        runtime(object),
        engine(make_x86_64_engine(object.programs[0], runtime, options)) {}

  ebpf::ExecutionResult raw(std::vector<uint8_t>& memory) { return engine->run_raw(memory); }
  ebpf::ExecutionResult raw() { return engine->run_raw({}); }

  ebpf::ElfObject object;
  ebpf::Runtime runtime;
  std::unique_ptr<JitEngine> engine;
};

// Verified mode with hand-made facts.

inline JitOptions verified_options() {
  JitOptions options;
  options.mode = SafetyMode::Verified;
  return options;
}

// Facts as the verifier gives them for a program without memory accesses to prove.
inline ProgramFacts all_reachable(size_t count) {
  ProgramFacts facts;
  facts.insns.resize(count);
  return facts;
}

struct VerifiedRun {
  VerifiedRun(std::vector<ebpf::Instruction> insns,
              ebpf::ProgramType type = ebpf::ProgramType::Unspec)
      : facts(all_reachable(insns.size())),
        object(ebpf::make_single_program_object(std::move(insns), type)),
        runtime(object),
        engine(make_x86_64_engine(object.programs[0], runtime, verified_options(), &facts)) {}

  const CompiledProgram& compiled() const { return engine->entry(); }
  std::span<const uint8_t> code() const { return compiled().code.code(); }

  ProgramFacts facts;
  ebpf::ElfObject object;
  ebpf::Runtime runtime;
  std::unique_ptr<JitEngine> engine;
};

inline void expect_same_verified(const std::vector<ebpf::Instruction>& insns,
                                 std::vector<DifferentialInput> inputs) {
  const ProgramFacts facts = all_reachable(insns.size());
  const ebpf::ElfObject object = ebpf::make_single_program_object(insns);
  DifferentialOptions compare;
  compare.compare_instruction_counts = false;  // verified code does not count instructions
  const DifferentialReport report =
      compare_engines(object, 0, std::move(inputs), interpreter_factory(),
                      x86_factory(verified_options(), &facts), compare);
  EXPECT_TRUE(report.equal) << report.difference;
}

#define NICSIM_REQUIRE_X86_64_HOST()                                                \
  do {                                                                              \
    if (!::nicsim::jit::x86_64_host())                                              \
      GTEST_SKIP() << "generated x86-64 code cannot run on this (non-x86-64) host"; \
  } while (0)

}  // namespace nicsim::jit::test
