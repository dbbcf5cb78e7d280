#include "jit/arm64/a64_disassembler.h"

#include <capstone/capstone.h>
#include <fmt/format.h>

namespace nicsim::jit {

std::string disassemble_arm64(const CompiledProgram& compiled,
                              const Arm64DisassemblyOptions& options) {
  const std::string header = fmt::format(
      "; {}: {} eBPF instructions -> {} AArch64 instructions ({} bytes, {} mode{}), {} branch "
      "passes, {} short / {} long conditional branches",
      compiled.program->display_name(), compiled.program->insns.size(), compiled.code.size() / 4,
      compiled.code.size(), compiled.options.mode == SafetyMode::Checked ? "checked" : "verified",
      compiled.options.harden ? ", constants blinded" : "", compiled.stats.passes,
      compiled.stats.short_branches, compiled.stats.long_branches);
  return list_compiled_program(
      compiled, header, NativeArchitecture{CS_ARCH_ARM64, CS_MODE_ARM, true, "AArch64"}, options);
}

}  // namespace nicsim::jit
