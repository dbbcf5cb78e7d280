#include "jit/common/listing.h"

#include <capstone/capstone.h>
#include <fmt/format.h>

#include "ebpf/asm/disassembler.h"
#include "jit/common/jit_error.h"

namespace nicsim::jit {

namespace {

class Capstone {
 public:
  explicit Capstone(const NativeArchitecture& architecture) {
    if (cs_open(static_cast<cs_arch>(architecture.capstone_arch),
                static_cast<cs_mode>(architecture.capstone_mode), &handle_) != CS_ERR_OK)
      throw JitError(
          fmt::format("jit: cannot open the Capstone {} disassembler", architecture.name));
  }
  ~Capstone() { cs_close(&handle_); }
  Capstone(const Capstone&) = delete;
  Capstone& operator=(const Capstone&) = delete;
  csh get() const { return handle_; }

 private:
  csh handle_ = 0;
};

// Decodes [begin, end) of the code, one line per machine instruction.
void list_range(std::string& out, const Capstone& capstone, const NativeArchitecture& architecture,
                const CompiledProgram& compiled, size_t begin, size_t end,
                const ListingOptions& options) {
  const auto code = compiled.code.code();
  size_t offset = begin;
  while (offset < end) {
    const size_t available = architecture.fixed_words ? 4 : end - offset;
    if (available > end - offset) break;  // a partial word
    uint32_t word = 0;
    std::string bytes;
    if (architecture.fixed_words) {
      word = uint32_t{code[offset]} | (uint32_t{code[offset + 1]} << 8) |
             (uint32_t{code[offset + 2]} << 16) | (uint32_t{code[offset + 3]} << 24);
      if (options.show_bytes) bytes = fmt::format("{:08x}  ", word);
    }
    cs_insn* insn = nullptr;
    const size_t count =
        cs_disasm(capstone.get(), code.data() + offset, available, offset, 1, &insn);
    if (count == 0) {
      if (architecture.fixed_words) {
        out += fmt::format("  {:06x}:  {}.inst 0x{:08x}\n", offset, bytes, word);
        offset += 4;
      } else {
        out += fmt::format("  {:06x}:  .byte 0x{:02x}\n", offset, code[offset]);
        ++offset;
      }
      continue;
    }
    if (options.show_bytes && !architecture.fixed_words) {
      for (size_t i = 0; i < insn[0].size; ++i)
        bytes += fmt::format("{:02x}", insn[0].bytes[i]);
      bytes = fmt::format("{:<22}", bytes);
    }
    out += fmt::format("  {:06x}:  {}{} {}\n", offset, bytes, insn[0].mnemonic, insn[0].op_str);
    offset += insn[0].size;
    cs_free(insn, count);
  }
}

}  // namespace

std::string list_compiled_program(const CompiledProgram& compiled, const std::string& header,
                                  const NativeArchitecture& architecture,
                                  const ListingOptions& options) {
  const Capstone capstone(architecture);
  const auto& insns = compiled.program->insns;
  std::string out = header + "\n";
  if (insns.empty()) return out;
  if (options.show_stubs) {
    out += "; prologue\n";
    list_range(out, capstone, architecture, compiled, 0, compiled.insn_offsets[0], options);
  }
  for (size_t i = 0; i < insns.size(); i += insns[i].is_lddw() ? 2 : 1) {
    const size_t next = i + (insns[i].is_lddw() ? 2 : 1);
    const size_t end =
        next < insns.size() ? compiled.insn_offsets[next] : compiled.instructions_end;
    out += fmt::format("; {:>4}: {}\n", i, ebpf::disassemble_instruction(insns, i));
    list_range(out, capstone, architecture, compiled, compiled.insn_offsets[i], end, options);
  }
  if (options.show_stubs && compiled.instructions_end < compiled.code.size()) {
    out += "; cold paths and stubs\n";
    list_range(out, capstone, architecture, compiled, compiled.instructions_end,
               compiled.code.size(), options);
  }
  return out;
}

}  // namespace nicsim::jit
