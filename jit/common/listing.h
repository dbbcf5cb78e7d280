#pragma once
// Listings of compiled code for humans (nicsim jit --disasm): each eBPF instruction, in the
// pseudo-C syntax, above the machine instructions it became, with the prologue before
// and the cold paths and stubs after. The machine code is decoded by Capstone for the
// backend's architecture; addresses are code offsets.

#include <string>

#include "jit/common/compiled_program.h"

namespace nicsim::jit {

struct ListingOptions {
  bool show_bytes = false;  // the encoding of each machine instruction
  bool show_stubs = true;   // the trampoline, stubs and cold paths
};

// How Capstone decodes a backend's code.
struct NativeArchitecture {
  int capstone_arch;  // cs_arch
  int capstone_mode;  // cs_mode
  // Every instruction is one 32-bit little-endian word (printed as such), as on AArch64;
  // otherwise instructions have any length and their bytes are printed one by one.
  bool fixed_words;
  const char* name;  // for errors: "x86-64"
};

// `header` is the first line (without its newline).
std::string list_compiled_program(const CompiledProgram& compiled, const std::string& header,
                                  const NativeArchitecture& architecture,
                                  const ListingOptions& options);

}  // namespace nicsim::jit
