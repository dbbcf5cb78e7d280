// Instructions -> text, one line per instruction (lddw takes its two slots at once).
#include "ebpf/asm/disassembler.h"

#include <fmt/format.h>

#include <optional>

#include "ebpf/asm/operation.h"
#include "ebpf/asm/printers.h"

namespace nicsim::ebpf {

namespace {

std::string print(const assembly::Operation& op, AsmSyntax syntax) {
  return syntax == AsmSyntax::Conformance ? assembly::print_conformance(op)
                                          : assembly::print_pseudoc(op);
}

// Where a jump lands, for a reader who has the indices in front of them. Printed as
// llvm-objdump does ("goto +3 <15>"), which the assembler skips.
std::optional<int64_t> absolute_target(const assembly::Operation& op, size_t index) {
  const assembly::Target* target = assembly::target_of(op);
  if (!target) return std::nullopt;
  return static_cast<int64_t>(index) + 1 + target->offset;
}

std::string raw_bytes(std::span<const Instruction> slots) {
  std::string out;
  for (const Instruction& insn : slots) {
    const uint64_t raw = insn.raw();
    for (int byte = 0; byte < 8; ++byte)
      out += fmt::format("{}{:02x}", out.empty() ? "" : " ", (raw >> (8 * byte)) & 0xff);
  }
  return out;
}

}  // namespace

std::string disassemble_instruction(std::span<const Instruction> insns, size_t index,
                                    AsmSyntax syntax) {
  if (index >= insns.size())
    throw Error(fmt::format("cannot disassemble instruction {}: the program has {} instructions",
                            index, insns.size()));
  return print(assembly::decode(insns, index), syntax);
}

std::string disassemble(std::span<const Instruction> insns, const DisasmOptions& options) {
  std::string out;
  const char comment = options.syntax == AsmSyntax::Conformance ? '#' : ';';
  for (size_t i = 0; i < insns.size();) {
    const assembly::Operation op = assembly::decode(insns, i);
    const size_t slots = assembly::slot_count(op);
    std::string line = print(op, options.syntax);
    if (options.show_index) {
      if (auto target = absolute_target(op, i)) line += fmt::format(" <{}>", *target);
      line = fmt::format("{:>4}: {}", i, line);
    }
    if (options.show_raw)
      line = fmt::format("{:<47} {} {}", line, comment, raw_bytes(insns.subspan(i, slots)));
    out += line;
    out += '\n';
    i += slots;
  }
  return out;
}

}  // namespace nicsim::ebpf
