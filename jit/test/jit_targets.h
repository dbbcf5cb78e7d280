#pragma once
// The JIT backends the shared test suites run over: each suite is written once and
// instantiated for every target, so that a new backend is added to this list, not to N tests.

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "ebpf/program/program.h"
#include "ebpf/runtime/runtime.h"
#include "jit/common/jit_engine.h"
#include "jit/common/jit_options.h"
#include "jit/common/program_facts.h"
#include "verifier/verifier.h"

namespace nicsim::jit::test {

struct JitTarget {
  std::string name;  // "x86_64", "arm64"
  // The program as given: Checked mode, or Verified with hand-made facts.
  std::function<std::unique_ptr<JitEngine>(const ebpf::Program&, ebpf::Runtime&, JitOptions,
                                           const ProgramFacts*)>
      make;
  // A program the verifier accepted, in Verified mode with the verifier's facts.
  std::function<std::unique_ptr<JitEngine>(const verifier::VerifiedProgram&, ebpf::Runtime&,
                                           JitOptions)>
      make_verified;
  // Generated code can run on this machine (x86-64 needs an x86-64 host; arm64 code runs
  // natively on AArch64 and under Unicorn elsewhere).
  bool runs_here = true;
};

const std::vector<JitTarget>& jit_targets();
const JitTarget& jit_target(const std::string& name);

inline void PrintTo(const JitTarget& target, std::ostream* out) {
  *out << target.name;
}

}  // namespace nicsim::jit::test
