#include "jit/x86_64/x86_compiler.h"

#include "jit/common/compile_driver.h"
#include "jit/common/jit_error.h"
#include "jit/common/verified_facts.h"
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
  // rel8 jumps where they reach, the smallest code: passes until the layout repeats.
  const RelaxationPolicy relaxation{ShortBranchReach::rel8(), Convergence::StableLayout};
  return compile_program(program, runtime, options, facts, relaxation,
                         [](CodeBuffer& code, BranchRelaxer& relaxer,
                            const TranslationInput& input) -> std::unique_ptr<Translator> {
                           return std::make_unique<x86::X86Translator>(code, relaxer, input);
                         });
}

uint64_t X86Backend::run(const CompiledProgram& program, NativeRunState& state, uint64_t r1,
                         uint64_t r2) {
  if (!x86_64_host()) throw JitError("jit: x86-64 code cannot run on this host");
  const auto entry = reinterpret_cast<X86EntryFunction>(program.entry);
  return entry(r1, r2, &state);
}

X86EntryFunction X86Backend::direct_entry(const CompiledProgram& program) const {
  return x86_64_host() ? reinterpret_cast<X86EntryFunction>(program.entry) : nullptr;
}

std::unique_ptr<JitEngine> make_x86_64_engine(const ebpf::Program& program, ebpf::Runtime& runtime,
                                              JitOptions options, const ProgramFacts* facts) {
  return std::make_unique<JitEngine>(std::make_unique<X86Backend>(), program, runtime, options,
                                     facts);
}

std::unique_ptr<JitEngine> make_x86_64_engine(const verifier::VerifiedProgram& verified,
                                              ebpf::Runtime& runtime, JitOptions options) {
  return make_verified_engine(std::make_unique<X86Backend>(), verified, runtime, options);
}

}  // namespace nicsim::jit
