#pragma once
// A listing of compiled arm64 code for humans (nicsim jit --target arm64 --disasm): each eBPF
// instruction, in the pseudo-C syntax, above the AArch64 instructions it became, then the
// cold paths and shared stubs. Machine code is decoded with Capstone; addresses are code
// offsets.

#include <string>

#include "jit/common/compiled_program.h"

namespace nicsim::jit {

struct Arm64DisassemblyOptions {
  bool show_bytes = false;  // the encoding of each machine instruction
  bool show_stubs = true;   // the trampoline, stubs and cold paths
};

std::string disassemble_arm64(const CompiledProgram& compiled,
                              const Arm64DisassemblyOptions& options = {});

}  // namespace nicsim::jit
