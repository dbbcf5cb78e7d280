#pragma once
// The arm64 (AArch64) JIT: compiles eBPF programs to AArch64 machine code and runs them as an
// ebpf::Engine (see jit/common/jit_engine.h and docs/jit-arm64.md): natively on an AArch64
// host, under Unicorn elsewhere (this x86-64 machine, CI), with the same code either way
// except for the addresses of the slow paths.

#include <cstdint>
#include <memory>
#include <string_view>

#include "ebpf/program/program.h"
#include "ebpf/runtime/runtime.h"
#include "jit/arm64/a64_host_calls.h"
#include "jit/common/jit_engine.h"
#include "jit/common/jit_options.h"
#include "jit/common/program_facts.h"

namespace nicsim::verifier {
class VerifiedProgram;
}

namespace nicsim::jit {

namespace a64 {
class A64Emulator;
}

class Arm64Backend final : public JitBackend {
 public:
  enum class Execution : uint8_t { Native, Emulated };

  // Native only on an AArch64 host (throws JitError elsewhere).
  explicit Arm64Backend(Execution execution = default_execution());
  ~Arm64Backend() override;

  std::string_view target() const override { return "arm64"; }
  std::unique_ptr<CompiledProgram> compile(const ebpf::Program& program, ebpf::Runtime& runtime,
                                           const JitOptions& options,
                                           const ProgramFacts* facts) override;
  uint64_t run(const CompiledProgram& program, NativeRunState& state, uint64_t r1,
               uint64_t r2) override;

  Execution execution() const { return execution_; }
  static Execution default_execution();

  // AArch64 instructions executed (trampoline, stubs and trap returns included), counted
  // under emulation; natively nothing counts them and these stay 0.
  uint64_t last_run_instructions() const { return last_run_instructions_; }
  uint64_t total_instructions() const { return total_instructions_; }
  uint64_t runs() const { return runs_; }

 private:
  Execution execution_;
  std::unique_ptr<a64::A64Emulator> emulator_;
  a64::HostCallTable host_calls_;
  uint64_t last_run_instructions_ = 0;
  uint64_t total_instructions_ = 0;
  uint64_t runs_ = 0;
};

// True when generated AArch64 code can run natively on this machine.
bool arm64_host();

// The engine the differential tests, the CLI and the benchmarks use: native on AArch64
// hosts, emulated elsewhere. Throws nicsim::Error (DecodeError, JitError) for a program that
// cannot be compiled.
std::unique_ptr<JitEngine> make_arm64_engine(const ebpf::Program& program, ebpf::Runtime& runtime,
                                             JitOptions options = {},
                                             const ProgramFacts* facts = nullptr);

// The same for a program the verifier accepted, compiled in Verified mode with its facts
// (options.mode is ignored). The engine runs the runtime object's copy of the program.
std::unique_ptr<JitEngine> make_arm64_engine(const verifier::VerifiedProgram& verified,
                                             ebpf::Runtime& runtime, JitOptions options = {});

// The arm64 backend of `engine`, or nullptr for another backend (for instruction counts:
// "arm64 instructions per packet" = total_instructions() / runs()).
Arm64Backend* arm64_backend_of(JitEngine& engine);

}  // namespace nicsim::jit
