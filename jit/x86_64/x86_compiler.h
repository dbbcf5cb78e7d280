#pragma once
// The x86-64 JIT: compiles eBPF programs to native code for this host and runs them as an
// ebpf::Engine (see jit/common/jit_engine.h and docs/jit-x86_64.md).

#include <memory>
#include <string>

#include "ebpf/program/program.h"
#include "ebpf/runtime/runtime.h"
#include "jit/common/jit_engine.h"
#include "jit/common/jit_options.h"
#include "jit/common/program_facts.h"

namespace nicsim::verifier {
class VerifiedProgram;
}

namespace nicsim::jit {

// x86-64 code is entered with r1 and r2 already in the registers eBPF r1 and r2 live in (rdi,
// rsi: x86_registers.h) and the run state third, so that the prologue moves nothing.
using X86EntryFunction = DirectEntryFunction;

class X86Backend final : public JitBackend {
 public:
  std::string_view target() const override { return "x86_64"; }
  std::unique_ptr<CompiledProgram> compile(const ebpf::Program& program, ebpf::Runtime& runtime,
                                           const JitOptions& options,
                                           const ProgramFacts* facts) override;
  uint64_t run(const CompiledProgram& program, NativeRunState& state, uint64_t r1,
               uint64_t r2) override;
  X86EntryFunction direct_entry(const CompiledProgram& program) const override;
};

// True when generated x86-64 code can run on this machine.
bool x86_64_host();

// The engine the differential tests, the CLI and the benchmarks use. Throws nicsim::Error
// (DecodeError, JitError) for a program that cannot be compiled.
std::unique_ptr<JitEngine> make_x86_64_engine(const ebpf::Program& program, ebpf::Runtime& runtime,
                                              JitOptions options = {},
                                              const ProgramFacts* facts = nullptr);

// The same for a program the verifier accepted, compiled in Verified mode with its facts
// (options.mode is ignored). The engine runs the runtime object's copy of the program.
std::unique_ptr<JitEngine> make_x86_64_engine(const verifier::VerifiedProgram& verified,
                                              ebpf::Runtime& runtime, JitOptions options = {});

}  // namespace nicsim::jit
