#pragma once
// Compiling one program, the same for every backend: validate it, check the facts of
// verified mode, draw the blinding seed, plan the instruction blocks, run translation passes
// until the branch layout converges, then place the code in W^X memory linked at its final
// address and record where each instruction's code is.

#include <functional>
#include <memory>

#include "ebpf/program/program.h"
#include "ebpf/runtime/runtime.h"
#include "jit/common/branch_relaxation.h"
#include "jit/common/code_buffer.h"
#include "jit/common/compiled_program.h"
#include "jit/common/jit_options.h"
#include "jit/common/program_facts.h"
#include "jit/common/translator.h"

namespace nicsim::jit {

// The backend's translator for one pass; it emits branches through `relaxer`.
using TranslatorFactory = std::function<std::unique_ptr<Translator>(
    CodeBuffer& code, BranchRelaxer& relaxer, const TranslationInput& input)>;

// Throws nicsim::Error (DecodeError, JitError) for a program that cannot be compiled.
std::unique_ptr<CompiledProgram> compile_program(const ebpf::Program& program,
                                                 ebpf::Runtime& runtime, const JitOptions& options,
                                                 const ProgramFacts* facts,
                                                 const RelaxationPolicy& relaxation,
                                                 const TranslatorFactory& make_translator);

}  // namespace nicsim::jit
