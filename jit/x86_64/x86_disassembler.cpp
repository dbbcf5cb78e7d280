#include "jit/x86_64/x86_disassembler.h"

#include <capstone/capstone.h>
#include <fmt/format.h>

namespace nicsim::jit {

std::string disassemble_x86_64(const CompiledProgram& compiled,
                               const X86DisassemblyOptions& options) {
  const std::string header = fmt::format(
      "; {}: {} eBPF instructions -> {} bytes of x86-64 ({} mode{}), {} branch passes, "
      "{} short / {} long branches",
      compiled.program->display_name(), compiled.program->insns.size(), compiled.code.size(),
      compiled.options.mode == SafetyMode::Checked ? "checked" : "verified",
      compiled.options.harden ? ", constants blinded" : "", compiled.stats.passes,
      compiled.stats.short_branches, compiled.stats.long_branches);
  return list_compiled_program(
      compiled, header, NativeArchitecture{CS_ARCH_X86, CS_MODE_64, false, "x86-64"}, options);
}

}  // namespace nicsim::jit
