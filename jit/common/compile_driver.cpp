#include "jit/common/compile_driver.h"

#include <fmt/format.h>

#include <cstring>
#include <random>

#include "ebpf/isa/validate.h"
#include "jit/common/instruction_blocks.h"
#include "jit/common/jit_error.h"

namespace nicsim::jit {

std::unique_ptr<CompiledProgram> compile_program(const ebpf::Program& program,
                                                 ebpf::Runtime& runtime, const JitOptions& options,
                                                 const ProgramFacts* facts,
                                                 const RelaxationPolicy& relaxation,
                                                 const TranslatorFactory& make_translator) {
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
  TranslationInput input{program, runtime, compiled->options, facts, compiled->blocks};

  BranchRelaxer relaxer(relaxation);
  for (;;) {
    CodeBuffer code;
    relaxer.begin_pass();
    const std::unique_ptr<Translator> translator = make_translator(code, relaxer, input);
    translator->emit_program();
    const bool layout_final = relaxer.end_pass(code);
    // The prologue went by the previous pass; a pass that used the run state without setting
    // it up is repeated (once: what the instructions use does not depend on the prologue).
    if (translator->used_run_state() && !input.run_state_expected) {
      input.run_state_expected = true;
      continue;
    }
    if (!layout_final) continue;

    compiled->code = ExecutableMemory(code.size());
    code.link(compiled->code.address());
    const std::span<uint8_t> memory = compiled->code.writable();
    std::memcpy(memory.data(), code.bytes().data(), code.size());
    // Instruction caches need not see data writes (AArch64); a no-op where they do (x86).
    const auto begin = reinterpret_cast<char*>(memory.data());
    __builtin___clear_cache(begin, begin + code.size());
    compiled->code.seal();
    compiled->entry = compiled->code.address();
    compiled->body = compiled->code.address() + code.offset_of(translator->body());
    compiled->insn_offsets = translator->insn_offsets();
    compiled->second_slot = translator->second_slots();
    compiled->instructions_end = translator->instructions_end();
    compiled->counts_instructions = translator->counts_instructions();
    compiled->needs_xdp_context = translator->needs_xdp_context();
    compiled->stats =
        CompileStats{relaxer.passes(), relaxer.short_branches(), relaxer.long_branches()};
    return compiled;
  }
}

}  // namespace nicsim::jit
