#include "tools/nicsim/engine_choice.h"

#include <fmt/format.h>

#include "ebpf/interp/interpreter.h"
#include "ebpf/util/error.h"
#include "jit/arm64/a64_compiler.h"
#include "jit/x86_64/x86_compiler.h"

namespace nicsim::cli {

std::unique_ptr<ebpf::Engine> make_engine(const std::string& backend, const ebpf::ElfObject&,
                                          const ebpf::Program& program, ebpf::Runtime& runtime,
                                          const EngineOptions& options) {
  if (backend == "interp") {
    ebpf::InterpreterOptions interp_options;
    interp_options.instruction_budget = options.instruction_budget;
    return std::make_unique<ebpf::Interpreter>(program, runtime, interp_options);
  }
  if (backend == "x86_64") {
    if (!jit::x86_64_host()) throw Error("backend x86_64 needs an x86_64 host");
    jit::JitOptions jit_options;
    jit_options.instruction_budget = options.instruction_budget;
    jit_options.harden = options.harden;
    return jit::make_x86_64_engine(program, runtime, jit_options);
  }
  if (backend == "arm64") {
    jit::JitOptions jit_options;
    jit_options.instruction_budget = options.instruction_budget;
    jit_options.harden = options.harden;
    return jit::make_arm64_engine(program, runtime, jit_options);
  }
  throw Error(fmt::format("unknown backend '{}' ({})", backend, engine_choice_help()));
}

const std::string& engine_choice_help() {
  static const std::string kHelp =
      "engine: interp (the reference interpreter), x86_64 (host JIT) or arm64 (JIT; run under "
      "Unicorn on non-arm64 hosts); the JITs run in checked mode";
  return kHelp;
}

}  // namespace nicsim::cli
