#include "jit/test/jit_targets.h"

#include <stdexcept>

#include "jit/arm64/a64_compiler.h"
#include "jit/x86_64/x86_compiler.h"

namespace nicsim::jit::test {

namespace {

std::vector<JitTarget> make_targets() {
  JitTarget x86;
  x86.name = "x86_64";
  x86.make = [](const ebpf::Program& program, ebpf::Runtime& runtime, JitOptions options,
                const ProgramFacts* facts) {
    return make_x86_64_engine(program, runtime, options, facts);
  };
  x86.make_verified = [](const verifier::VerifiedProgram& verified, ebpf::Runtime& runtime,
                         JitOptions options) {
    return make_x86_64_engine(verified, runtime, options);
  };
  x86.runs_here = x86_64_host();

  JitTarget arm64;
  arm64.name = "arm64";
  arm64.make = [](const ebpf::Program& program, ebpf::Runtime& runtime, JitOptions options,
                  const ProgramFacts* facts) {
    return make_arm64_engine(program, runtime, options, facts);
  };
  arm64.make_verified = [](const verifier::VerifiedProgram& verified, ebpf::Runtime& runtime,
                           JitOptions options) {
    return make_arm64_engine(verified, runtime, options);
  };
  return {x86, arm64};
}

}  // namespace

const std::vector<JitTarget>& jit_targets() {
  static const std::vector<JitTarget> targets = make_targets();
  return targets;
}

const JitTarget& jit_target(const std::string& name) {
  for (const JitTarget& target : jit_targets()) {
    if (target.name == name) return target;
  }
  throw std::invalid_argument("no JIT target " + name);
}

}  // namespace nicsim::jit::test
