#pragma once
// Shared by the arm64 JIT tests: engine factories, programs written in eBPF assembly, and
// running the same program on the interpreter (the golden model) and on the arm64 JIT (under
// Unicorn on this host) with a test failure naming the first difference.

#include <gtest/gtest.h>

#include <memory>
#include <string_view>
#include <vector>

#include "ebpf/asm/assembler.h"
#include "ebpf/interp/interpreter.h"
#include "ebpf/program/program.h"
#include "ebpf/runtime/runtime.h"
#include "jit/arm64/a64_compiler.h"
#include "jit/common/differential.h"
#include "jit/test/jit_test_support.h"  // interpreter_factory, raw_input, xdp_input

namespace nicsim::jit::test {

inline std::vector<ebpf::Instruction> assemble(std::string_view source) {
  return ebpf::assemble(source);
}

inline EngineFactory arm64_factory(JitOptions options = {}, const ProgramFacts* facts = nullptr) {
  return [options, facts](const ebpf::Program& program,
                          ebpf::Runtime& runtime) -> std::unique_ptr<ebpf::Engine> {
    return make_arm64_engine(program, runtime, options, facts);
  };
}

// The interpreter and the arm64 JIT agree on every input; returns the JIT's results.
inline std::vector<ebpf::ExecutionResult> expect_same(const ebpf::ElfObject& object,
                                                      std::vector<DifferentialInput> inputs,
                                                      JitOptions options = {}, size_t program = 0,
                                                      const ProgramFacts* facts = nullptr) {
  const DifferentialReport report = compare_engines(object, program, inputs, interpreter_factory(),
                                                    arm64_factory(options, facts));
  EXPECT_TRUE(report.equal) << report.difference;
  return report.candidate_results;
}

inline std::vector<ebpf::ExecutionResult> expect_same(
    std::vector<ebpf::Instruction> insns, std::vector<DifferentialInput> inputs,
    JitOptions options = {}, ebpf::ProgramType type = ebpf::ProgramType::Unspec) {
  const ebpf::ElfObject object = ebpf::make_single_program_object(std::move(insns), type);
  return expect_same(object, std::move(inputs), options);
}

inline std::vector<ebpf::ExecutionResult> expect_same(
    std::string_view source, std::vector<DifferentialInput> inputs, JitOptions options = {},
    ebpf::ProgramType type = ebpf::ProgramType::Unspec) {
  return expect_same(assemble(source), std::move(inputs), options, type);
}

// A program run on the arm64 JIT alone, in its own world.
struct Arm64Run {
  explicit Arm64Run(std::vector<ebpf::Instruction> insns, JitOptions options = {},
                    ebpf::ProgramType type = ebpf::ProgramType::Unspec)
      : object(ebpf::make_single_program_object(std::move(insns), type)),
        runtime(object),
        engine(make_arm64_engine(object.programs[0], runtime, options)) {}
  explicit Arm64Run(std::string_view source, JitOptions options = {},
                    ebpf::ProgramType type = ebpf::ProgramType::Unspec)
      : Arm64Run(assemble(source), options, type) {}

  ebpf::ExecutionResult raw(std::vector<uint8_t>& memory) { return engine->run_raw(memory); }
  ebpf::ExecutionResult raw() { return engine->run_raw({}); }
  Arm64Backend& backend() { return *arm64_backend_of(*engine); }

  ebpf::ElfObject object;
  ebpf::Runtime runtime;
  std::unique_ptr<JitEngine> engine;
};

}  // namespace nicsim::jit::test
