#pragma once
// Instructions -> text. assemble(disassemble(x)) == x for every valid instruction.

#include <span>
#include <string>

#include "ebpf/asm/assembler.h"
#include "ebpf/isa/instruction.h"

namespace nicsim::ebpf {

struct DisasmOptions {
  AsmSyntax syntax = AsmSyntax::PseudoC;
  bool show_index = false;  // prefix "  12: "
  bool show_raw = false;    // append the raw bytes
};

// One instruction (both slots for lddw); jump targets are relative ("goto +3").
std::string disassemble_instruction(std::span<const Instruction> insns, size_t index,
                                    AsmSyntax syntax = AsmSyntax::PseudoC);
// The whole program, one instruction per line.
std::string disassemble(std::span<const Instruction> insns, const DisasmOptions& options = {});

}  // namespace nicsim::ebpf
