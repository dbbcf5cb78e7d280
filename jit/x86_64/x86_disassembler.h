#pragma once
// A listing of compiled x86-64 code for humans (nicsim jit --target x86_64 --disasm): each
// eBPF instruction, in the pseudo-C syntax, above the machine instructions it became, then
// the shared stubs. Machine code is decoded with Capstone; addresses are code offsets.

#include <string>

#include "jit/common/compiled_program.h"

namespace nicsim::jit {

struct X86DisassemblyOptions {
  bool show_bytes = false;  // the encoding of each machine instruction
  bool show_stubs = true;   // the trampoline, stubs and cold paths
};

std::string disassemble_x86_64(const CompiledProgram& compiled,
                               const X86DisassemblyOptions& options = {});

}  // namespace nicsim::jit
