#pragma once
// From the verifier to the JITs: the verifier's facts in the JITs' terms, and the engine of a
// verified program compiled in Verified mode (plain accesses where the verifier proved them
// safe, xdp_md loads translated at compile time, decided branches, dead code and redundant
// zero-extensions left out, no instruction budget).

#include <memory>

#include "ebpf/program/program.h"
#include "ebpf/runtime/runtime.h"
#include "jit/common/jit_engine.h"
#include "jit/common/jit_options.h"
#include "jit/common/program_facts.h"
#include "verifier/verifier.h"

namespace nicsim::jit {

// Per instruction: reachability, decided conditional jumps, redundant zero-extensions, and
// for loads, stores and atomics the region the base register points to on every path, all
// of whose accesses the verifier proved inside the region (stack, packet, map value, helper
// memory). Context accesses are the XDP context's only for XDP programs (run_xdp's context);
// other program types keep them checked, as accesses through kernel objects.
ProgramFacts facts_from_verifier(const verifier::VerifiedProgram& verified);

// The program of the runtime's object that `verified` was made from (so that diagnostics and
// tail calls see the object's own program), or verified.program() when the object has no such
// program (then `verified` must outlive the engine).
const ebpf::Program& program_in_runtime(const verifier::VerifiedProgram& verified,
                                        const ebpf::Runtime& runtime);

// Compiles `verified` with `backend` in Verified mode (options.mode is overridden).
std::unique_ptr<JitEngine> make_verified_engine(std::unique_ptr<JitBackend> backend,
                                                const verifier::VerifiedProgram& verified,
                                                ebpf::Runtime& runtime, JitOptions options = {});

}  // namespace nicsim::jit
