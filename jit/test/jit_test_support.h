#pragma once
// Shared by the test suites every JIT backend runs (jit/test): engine factories for a target
// of jit_targets(), and the interpreter (the golden model) as the reference.

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "ebpf/interp/interpreter.h"
#include "ebpf/isa/opcodes.h"
#include "ebpf/program/program.h"
#include "ebpf/runtime/runtime.h"
#include "jit/common/differential.h"
#include "jit/test/jit_targets.h"

namespace nicsim::jit::test {

inline EngineFactory interpreter_factory() {
  return [](const ebpf::Program& program, ebpf::Runtime& runtime) -> std::unique_ptr<ebpf::Engine> {
    return std::make_unique<ebpf::Interpreter>(program, runtime);
  };
}

// The target's engine compiled from the program as given (Checked mode unless `facts`).
inline EngineFactory jit_factory(const JitTarget& target, JitOptions options = {},
                                 const ProgramFacts* facts = nullptr) {
  return [&target, options, facts](const ebpf::Program& program,
                                   ebpf::Runtime& runtime) -> std::unique_ptr<ebpf::Engine> {
    return target.make(program, runtime, options, facts);
  };
}

// The target's engine for the program as the verifier accepted it (Verified mode, the
// verifier's facts); a refused program throws the verifier's VerificationFailed.
inline EngineFactory verified_factory(const JitTarget& target, JitOptions options = {}) {
  return [&target, options](const ebpf::Program& program,
                            ebpf::Runtime& runtime) -> std::unique_ptr<ebpf::Engine> {
    const verifier::VerifiedProgram verified = verifier::verify_program(runtime.object(), program);
    return target.make_verified(verified, runtime, options);
  };
}

// Every atomic operation of RFC 9669 (the imm field of an atomic STX).
inline constexpr int32_t kAtomicOperations[] = {ebpf::kAtomicAdd,
                                                ebpf::kAtomicOr,
                                                ebpf::kAtomicAnd,
                                                ebpf::kAtomicXor,
                                                ebpf::kAtomicAdd | ebpf::kAtomicFetch,
                                                ebpf::kAtomicOr | ebpf::kAtomicFetch,
                                                ebpf::kAtomicAnd | ebpf::kAtomicFetch,
                                                ebpf::kAtomicXor | ebpf::kAtomicFetch,
                                                ebpf::kAtomicXchg,
                                                ebpf::kAtomicCmpxchg};

inline DifferentialInput raw_input(std::vector<uint8_t> bytes = {}) {
  return DifferentialInput{DifferentialInput::Kind::Raw, std::move(bytes)};
}

inline DifferentialInput xdp_input(std::vector<uint8_t> packet) {
  return DifferentialInput{DifferentialInput::Kind::Xdp, std::move(packet)};
}

// Skips a test of a target whose code cannot run on this machine.
#define NICSIM_REQUIRE_RUNNABLE(target)                                                 \
  do {                                                                                  \
    if (!(target).runs_here)                                                            \
      GTEST_SKIP() << "generated " << (target).name << " code cannot run on this host"; \
  } while (0)

// Target names as gtest parameter names.
inline std::vector<std::string> target_names() {
  std::vector<std::string> names;
  for (const JitTarget& target : jit_targets())
    names.push_back(target.name);
  return names;
}

}  // namespace nicsim::jit::test
