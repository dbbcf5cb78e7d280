#include "jit/arm64/a64_compiler.h"

#include "jit/arm64/a64_emulator.h"
#include "jit/arm64/a64_translator.h"
#include "jit/common/compile_driver.h"
#include "jit/common/jit_error.h"
#include "jit/common/slow_paths.h"
#include "jit/common/verified_facts.h"

namespace nicsim::jit {

namespace a64 {

HostCallTable native_host_calls() {
  HostCallTable table;
  auto set = [&](HostCall call, auto* function) {
    table.address[static_cast<size_t>(call)] = reinterpret_cast<uint64_t>(function);
  };
  set(HostCall::Load, &slow_path::load);
  set(HostCall::CheckWrite, &slow_path::check_write);
  set(HostCall::CallHelper, &slow_path::call_helper);
  set(HostCall::TailCall, &slow_path::tail_call);
  set(HostCall::ResolveCallx, &slow_path::resolve_callx);
  set(HostCall::Fault, &slow_path::fault);
  set(HostCall::LegacyLoad, &slow_path::legacy_load);
  return table;
}

}  // namespace a64

bool arm64_host() {
#if defined(__aarch64__)
  return true;
#else
  return false;
#endif
}

Arm64Backend::Execution Arm64Backend::default_execution() {
  return arm64_host() ? Execution::Native : Execution::Emulated;
}

Arm64Backend::Arm64Backend(Execution execution) : execution_(execution) {
  if (execution_ == Execution::Native) {
    if (!arm64_host()) throw JitError("jit: arm64 code cannot run natively on this host");
    host_calls_ = a64::native_host_calls();
  } else {
    emulator_ = std::make_unique<a64::A64Emulator>();
    host_calls_ = emulator_->host_calls();
  }
}

Arm64Backend::~Arm64Backend() = default;

std::unique_ptr<CompiledProgram> Arm64Backend::compile(const ebpf::Program& program,
                                                       ebpf::Runtime& runtime,
                                                       const JitOptions& options,
                                                       const ProgramFacts* facts) {
  // ExecutableMemory places the code at a page-aligned address, so that lddw of a function
  // address (ADRP) reaches the same page offsets in every placement.
  return compile_program(program, runtime, options, facts, a64::kA64Relaxation,
                         [this](CodeBuffer& code, BranchRelaxer& relaxer,
                                const TranslationInput& input) -> std::unique_ptr<Translator> {
                           return std::make_unique<a64::A64Translator>(code, relaxer, input,
                                                                       host_calls_);
                         });
}

uint64_t Arm64Backend::run(const CompiledProgram& program, NativeRunState& state, uint64_t r1,
                           uint64_t r2) {
  if (execution_ == Execution::Native) {
#if defined(__aarch64__)
    const auto entry = reinterpret_cast<EntryFunction>(program.entry);
    ++runs_;
    return entry(&state, r1, r2);
#else
    throw JitError("jit: arm64 code cannot run natively on this host");
#endif
  }
  const uint64_t r0 = emulator_->run(program.entry, state, r1, r2);
  last_run_instructions_ = emulator_->last_run_instructions();
  total_instructions_ += last_run_instructions_;
  ++runs_;
  return r0;
}

std::unique_ptr<JitEngine> make_arm64_engine(const ebpf::Program& program, ebpf::Runtime& runtime,
                                             JitOptions options, const ProgramFacts* facts) {
  return std::make_unique<JitEngine>(std::make_unique<Arm64Backend>(), program, runtime, options,
                                     facts);
}

std::unique_ptr<JitEngine> make_arm64_engine(const verifier::VerifiedProgram& verified,
                                             ebpf::Runtime& runtime, JitOptions options) {
  return make_verified_engine(std::make_unique<Arm64Backend>(), verified, runtime, options);
}

Arm64Backend* arm64_backend_of(JitEngine& engine) {
  return dynamic_cast<Arm64Backend*>(&engine.backend());
}

}  // namespace nicsim::jit
