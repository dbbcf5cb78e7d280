#pragma once
// A JIT-compiled program as an ebpf::Engine: called exactly like the interpreter (run_xdp /
// run_raw on the same Runtime), with the same stack, context, region and fault semantics.
// The architecture-specific part is a JitBackend: it compiles programs and runs compiled
// code; the engine owns everything else (the eBPF stack, invocation setup, tail-call targets
// compiled on first use, results and diagnostics).

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ebpf/engine/engine.h"
#include "ebpf/isa/opcodes.h"
#include "ebpf/program/program.h"
#include "ebpf/runtime/runtime.h"
#include "jit/common/compiled_program.h"
#include "jit/common/invocation.h"
#include "jit/common/jit_options.h"
#include "jit/common/program_facts.h"
#include "jit/common/run_state.h"

namespace nicsim::jit {

inline constexpr size_t kStackGuardSize = 4096;  // AccessChecker::kStackGuard

class JitBackend {
 public:
  virtual ~JitBackend() = default;
  virtual std::string_view target() const = 0;  // "x86_64"
  // Compiles `program` for `runtime` (map addresses are constants of the code). Throws
  // nicsim::Error for a program that cannot be compiled, naming the instruction.
  virtual std::unique_ptr<CompiledProgram> compile(const ebpf::Program& program,
                                                   ebpf::Runtime& runtime,
                                                   const JitOptions& options,
                                                   const ProgramFacts* facts) = 0;
  // Runs compiled code from its entry with r1, r2; returns r0.
  virtual uint64_t run(const CompiledProgram& program, NativeRunState& state, uint64_t r1,
                       uint64_t r2) = 0;
  // The entry of `program` as a function the engine may call itself instead of run(), when
  // run() would do nothing but call it (native code, nothing counted around the call);
  // nullptr otherwise.
  virtual DirectEntryFunction direct_entry(const CompiledProgram& /*program*/) const {
    return nullptr;
  }
};

class JitEngine final : public ebpf::Engine {
 public:
  // Compiles `program` (which should belong to runtime.object(), for tail calls) now; throws
  // what the backend throws. `facts` (SafetyMode::Verified) must describe `program`.
  JitEngine(std::unique_ptr<JitBackend> backend, const ebpf::Program& program,
            ebpf::Runtime& runtime, JitOptions options = {}, const ProgramFacts* facts = nullptr);
  ~JitEngine() override;

  std::string_view name() const override { return name_; }
  ebpf::ExecutionResult run_xdp(ebpf::XdpFrame& frame) override;
  // The frame bound and the invocation set up once; per run only what run_xdp does that a run
  // may change: a new Runtime invocation, the packet range, the stack clear, the run state's
  // counters (and its reset after a run that finished early), the regions' check. Each run is
  // run()'s own code without the result (prepare_run, invoke), so the loop is exact for every
  // backend and every way a run ends; it stops after a run that aborted.
  ebpf::ExecutionResult run_xdp_repeated(ebpf::XdpFrame& frame, uint32_t repeat) override;
  ebpf::ExecutionResult run_raw(std::span<uint8_t> memory) override;

  const CompiledProgram& entry() const { return *entry_; }
  JitBackend& backend() { return *backend_; }
  const JitOptions& options() const { return options_; }

  // --- for the slow paths ---
  // The compiled program whose code holds `address`, or nullptr.
  const CompiledProgram* locate(uint64_t address) const;
  // The object's program `object_index`, compiled on its first tail call; nullptr with
  // `fault` set when it cannot be compiled.
  const CompiledProgram* tail_call_target(uint32_t object_index, std::string& fault);
  ebpf::Runtime& runtime() { return runtime_; }

 private:
  // Begins an invocation on `frame` and binds its context; returns r1 (the context).
  uint64_t begin_xdp_run(ebpf::XdpFrame& frame);
  ebpf::ExecutionResult run(uint64_t r1, uint64_t r2);
  // The parts of run(): the run state as a run from the entry starts it, the call of the
  // code, and the result of the run that returned `r0`.
  void prepare_run();
  uint64_t invoke(uint64_t r1, uint64_t r2) {
    return direct_entry_ != nullptr ? direct_entry_(r1, r2, &state_)
                                    : backend_->run(*entry_, state_, r1, r2);
  }
  ebpf::ExecutionResult result_of(uint64_t r0) const;
  // The run state and the invocation as a run starts: set once, and again only after a run
  // that aborted or finished early (a normal return leaves them so).
  void reset_run_state();

  std::unique_ptr<JitBackend> backend_;
  ebpf::Runtime& runtime_;
  JitOptions options_;
  std::string name_;
  // Compiled programs by index in the runtime's object; the entry may also stand alone.
  std::vector<std::unique_ptr<CompiledProgram>> compiled_;
  // Runs start on a cleared stack (see stack_).
  bool clears_stack_ = true;
  std::unique_ptr<CompiledProgram> standalone_entry_;
  const CompiledProgram* entry_ = nullptr;
  // backend_->direct_entry(*entry_), or nullptr: runs then go through backend_->run.
  DirectEntryFunction direct_entry_ = nullptr;
  Invocation invocation_;
  // The XDP context the checker and the base region were last set for (nullptr after a raw
  // run), kept here so that a run on the same frame tests it with one load.
  const ebpf::XdpContextShadow* bound_context_ = nullptr;
  NativeRunState state_;
  // Every call frame, frame 0 at the top, between two guard bands (AccessChecker::kStackGuard);
  // unless the verifier proved that no run reads stack it has not written (clears_stack_
  // false), the frames a run used are cleared before the next one, so that a program reading
  // stack it never wrote sees zeros (as in the interpreter), not an earlier packet.
  static constexpr size_t kStackAreaSize = size_t{ebpf::kMaxCallDepth} * ebpf::kStackSize;
  alignas(kStackGuardSize) std::array<uint8_t, kStackAreaSize + 2 * kStackGuardSize> stack_{};
};

}  // namespace nicsim::jit
