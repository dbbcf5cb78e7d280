#pragma once
// A listing of compiled arm64 code for humans (nicsim jit --target arm64 --disasm): each eBPF
// instruction, in the pseudo-C syntax, above the AArch64 instructions it became, then the
// cold paths and shared stubs (jit/common/listing.h).

#include <string>

#include "jit/common/compiled_program.h"
#include "jit/common/listing.h"

namespace nicsim::jit {

using Arm64DisassemblyOptions = ListingOptions;

std::string disassemble_arm64(const CompiledProgram& compiled,
                              const Arm64DisassemblyOptions& options = {});

}  // namespace nicsim::jit
