#pragma once
// Loads BPF ELF objects as libbpf does: program sections and their functions, BTF-defined
// (.maps) and legacy (maps, maps/*) map definitions, global data (.data, .rodata*, .bss) as
// single-entry array maps, map / data / call relocations, .text subprograms appended to the
// programs that call them, and BTF line info for every instruction.

#include <cstdint>
#include <span>
#include <string>

#include "ebpf/program/program.h"
#include "ebpf/util/error.h"

namespace nicsim::ebpf {

class ElfError : public Error {
 public:
  using Error::Error;
};

struct ElfLoadOptions {
  // Directory to look for source files named in BTF line info (to attach source text
  // when BTF does not carry it); empty: use the recorded paths only.
  std::string source_root;
};

// Throws ElfError "<path>: <what> (section X / symbol Y / offset Z)" for malformed input.
ElfObject load_elf_file(const std::string& path, const ElfLoadOptions& options = {});
ElfObject load_elf_bytes(std::span<const uint8_t> bytes, const std::string& name,
                         const ElfLoadOptions& options = {});

}  // namespace nicsim::ebpf
