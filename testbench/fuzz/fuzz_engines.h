#pragma once
// The engines the differential fuzzer compares with the interpreter, by name:
//   x86_64, x86_64-checked   the x86-64 JIT in Verified mode (the verifier's facts) / Checked mode
//   arm64, arm64-checked     the arm64 JIT, the same two ways (under Unicorn on x86-64 hosts)
//   nic                      the NIC compiler (jit/nic, with the verifier's facts) on the
//                            SystemC model; programs it refuses are counted, not failures
// "interp" names the reference and may be listed; it is always there.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ebpf/engine/engine.h"
#include "ebpf/program/program.h"
#include "ebpf/runtime/runtime.h"
#include "verifier/verifier.h"

namespace nicsim::fuzz {

struct FuzzEngine {
  std::string name;
  // Builds the engine for `verified` (whose program is the runtime object's program 0).
  std::function<std::unique_ptr<ebpf::Engine>(const verifier::VerifiedProgram&, ebpf::Runtime&)>
      make;
  // The engine may refuse a verified program (with a nicsim::Error): counted apart.
  bool may_refuse = false;
  // The engine counts instructions as the interpreter does (checked JIT code).
  bool counts_instructions = false;
};

std::unique_ptr<ebpf::Engine> make_reference_engine(const ebpf::Program& program,
                                                    ebpf::Runtime& runtime);

// Parses "x86_64,arm64,nic" ("all" for every engine this build has). Throws nicsim::Error for
// an unknown name.
std::vector<FuzzEngine> parse_engines(const std::string& list);

std::vector<std::string> available_engines();

}  // namespace nicsim::fuzz
