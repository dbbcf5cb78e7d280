#include "jit/arm64/a64_disassembler.h"

#include <capstone/capstone.h>
#include <fmt/format.h>

#include "ebpf/asm/disassembler.h"
#include "jit/common/jit_error.h"

namespace nicsim::jit {

namespace {

class CapstoneHandle {
 public:
  CapstoneHandle() {
    if (cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &handle_) != CS_ERR_OK)
      throw JitError("jit: cannot open the Capstone AArch64 disassembler");
  }
  ~CapstoneHandle() { cs_close(&handle_); }
  CapstoneHandle(const CapstoneHandle&) = delete;
  CapstoneHandle& operator=(const CapstoneHandle&) = delete;
  csh get() const { return handle_; }

 private:
  csh handle_ = 0;
};

// Decodes [begin, end) of the code, one line per 4-byte instruction.
void list_range(std::string& out, const CapstoneHandle& capstone, const CompiledProgram& compiled,
                size_t begin, size_t end, const Arm64DisassemblyOptions& options) {
  const auto code = compiled.code.code();
  for (size_t offset = begin; offset + 4 <= end; offset += 4) {
    const uint32_t word = uint32_t{code[offset]} | (uint32_t{code[offset + 1]} << 8) |
                          (uint32_t{code[offset + 2]} << 16) | (uint32_t{code[offset + 3]} << 24);
    const std::string bytes = options.show_bytes ? fmt::format("{:08x}  ", word) : "";
    cs_insn* insn = nullptr;
    const size_t count = cs_disasm(capstone.get(), code.data() + offset, 4, offset, 1, &insn);
    if (count == 0) {
      out += fmt::format("  {:06x}:  {}.inst 0x{:08x}\n", offset, bytes, word);
      continue;
    }
    out += fmt::format("  {:06x}:  {}{} {}\n", offset, bytes, insn[0].mnemonic, insn[0].op_str);
    cs_free(insn, count);
  }
}

}  // namespace

std::string disassemble_arm64(const CompiledProgram& compiled,
                              const Arm64DisassemblyOptions& options) {
  const CapstoneHandle capstone;
  const auto& insns = compiled.program->insns;
  std::string out = fmt::format(
      "; {}: {} eBPF instructions -> {} AArch64 instructions ({} bytes, {} mode{}), {} branch "
      "passes, {} short / {} long conditional branches\n",
      compiled.program->display_name(), insns.size(), compiled.code.size() / 4,
      compiled.code.size(), compiled.options.mode == SafetyMode::Checked ? "checked" : "verified",
      compiled.options.harden ? ", constants blinded" : "", compiled.stats.passes,
      compiled.stats.short_branches, compiled.stats.long_branches);
  if (insns.empty()) return out;
  if (options.show_stubs) {
    out += "; entry trampoline\n";
    list_range(out, capstone, compiled, 0, compiled.insn_offsets[0], options);
  }
  for (size_t i = 0; i < insns.size(); i += insns[i].is_lddw() ? 2 : 1) {
    const size_t next = i + (insns[i].is_lddw() ? 2 : 1);
    const size_t end =
        next < insns.size() ? compiled.insn_offsets[next] : compiled.instructions_end;
    out += fmt::format("; {:>4}: {}\n", i, ebpf::disassemble_instruction(insns, i));
    list_range(out, capstone, compiled, compiled.insn_offsets[i], end, options);
  }
  if (options.show_stubs && compiled.instructions_end < compiled.code.size()) {
    out += "; cold paths and stubs\n";
    list_range(out, capstone, compiled, compiled.instructions_end, compiled.code.size(), options);
  }
  return out;
}

}  // namespace nicsim::jit
