#include "jit/arm64/a64_compiler.h"

#include <fmt/format.h>

#include <cstring>
#include <random>

#include "ebpf/isa/validate.h"
#include "jit/arm64/a64_emulator.h"
#include "jit/arm64/a64_translator.h"
#include "jit/common/code_buffer.h"
#include "jit/common/instruction_blocks.h"
#include "jit/common/jit_error.h"
#include "jit/common/slow_paths.h"

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
  ebpf::validate_instructions(program.insns);
  if (options.mode == SafetyMode::Verified) {
    if (facts == nullptr)
      throw JitError(
          fmt::format("{}: verified mode needs the verifier's facts", program.display_name()));
    if (facts->insns.size() != program.insns.size())
      throw JitError(fmt::format("{}: the facts describe {} instructions, the program has {}",
                                 program.display_name(), facts->insns.size(),
                                 program.insns.size()));
  }
  JitOptions effective = options;
  if (effective.harden && effective.blinding_seed == 0) {
    std::random_device random;
    effective.blinding_seed = (uint64_t{random()} << 32) | random() | 1;
  }

  auto compiled = std::make_unique<CompiledProgram>();
  compiled->program = &program;
  compiled->options = effective;
  compiled->blocks = plan_blocks(program.insns);

  a64::A64BranchRelaxer relaxer;
  for (;;) {
    CodeBuffer code;
    relaxer.begin_pass();
    a64::A64Translator translator(code, relaxer, program, runtime, effective, facts,
                                  compiled->blocks, host_calls_);
    const bool converged = translator.emit_program();
    relaxer.end_pass(converged);
    if (!converged) continue;

    // ADRP needs a page-aligned load address, which ExecutableMemory's mmap gives.
    compiled->code = ExecutableMemory(code.size());
    std::memcpy(compiled->code.writable().data(), code.bytes().data(), code.size());
    const auto begin = reinterpret_cast<char*>(compiled->code.writable().data());
    __builtin___clear_cache(begin, begin + code.size());  // AArch64 caches are not coherent
    compiled->code.seal();
    compiled->entry = compiled->code.address();
    compiled->body = compiled->code.address() + code.offset_of(translator.body());
    compiled->insn_offsets = translator.insn_offsets();
    compiled->second_slot = translator.second_slots();
    compiled->instructions_end = translator.instructions_end();
    compiled->counts_instructions = translator.counts_instructions();
    compiled->stats =
        CompileStats{relaxer.passes(), relaxer.short_branches(), relaxer.long_branches()};
    return compiled;
  }
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

Arm64Backend* arm64_backend_of(JitEngine& engine) {
  return dynamic_cast<Arm64Backend*>(&engine.backend());
}

}  // namespace nicsim::jit
