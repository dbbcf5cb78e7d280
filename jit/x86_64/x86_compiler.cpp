#include "jit/x86_64/x86_compiler.h"

#include <fmt/format.h>

#include <cstring>
#include <random>

#include "ebpf/isa/validate.h"
#include "jit/common/branch_relaxation.h"
#include "jit/common/code_buffer.h"
#include "jit/common/instruction_blocks.h"
#include "jit/common/jit_error.h"
#include "jit/x86_64/x86_translator.h"

namespace nicsim::jit {

bool x86_64_host() {
#if defined(__x86_64__)
  return true;
#else
  return false;
#endif
}

std::unique_ptr<CompiledProgram> X86Backend::compile(const ebpf::Program& program,
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

  BranchRelaxer relaxer;
  for (;;) {
    CodeBuffer code;
    relaxer.begin_pass();
    x86::X86Translator translator(code, relaxer, program, runtime, effective, facts,
                                  compiled->blocks);
    translator.emit_program();
    if (!relaxer.end_pass(code)) continue;

    compiled->code = ExecutableMemory(code.size());
    code.link(compiled->code.address());
    std::memcpy(compiled->code.writable().data(), code.bytes().data(), code.size());
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

uint64_t X86Backend::run(const CompiledProgram& program, NativeRunState& state, uint64_t r1,
                         uint64_t r2) {
  if (!x86_64_host()) throw JitError("jit: x86-64 code cannot run on this host");
  const auto entry = reinterpret_cast<EntryFunction>(program.entry);
  return entry(&state, r1, r2);
}

std::unique_ptr<JitEngine> make_x86_64_engine(const ebpf::Program& program, ebpf::Runtime& runtime,
                                              JitOptions options, const ProgramFacts* facts) {
  return std::make_unique<JitEngine>(std::make_unique<X86Backend>(), program, runtime, options,
                                     facts);
}

}  // namespace nicsim::jit
