#pragma once
// A listing of compiled x86-64 code for humans (nicsim jit --target x86_64 --disasm): each
// eBPF instruction, in the pseudo-C syntax, above the machine instructions it became, then
// the shared stubs (jit/common/listing.h).

#include <string>

#include "jit/common/compiled_program.h"
#include "jit/common/listing.h"

namespace nicsim::jit {

using X86DisassemblyOptions = ListingOptions;

std::string disassemble_x86_64(const CompiledProgram& compiled,
                               const X86DisassemblyOptions& options = {});

}  // namespace nicsim::jit
