#pragma once
// The executable sections of an object as the linker sees them: decoded instructions, the
// function symbols that cut them into functions, relocations by instruction, and the entry
// points (programs) they hold.

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "ebpf/elf/elf_image.h"
#include "ebpf/isa/instruction.h"

namespace nicsim::ebpf::elf {

struct Function {
  std::string name;
  size_t start = 0;  // instruction indices inside the section
  size_t end = 0;
  bool global = false;
};

struct CodeSection {
  const Section* section = nullptr;
  std::vector<Instruction> insns;
  std::vector<Function> functions;                  // STT_FUNC symbols, sorted by start
  std::map<size_t, const Relocation*> relocations;  // by instruction index
};

// A program to build: a function of a code section (or the whole section).
struct EntryPoint {
  const CodeSection* code = nullptr;
  std::string function;
  size_t start = 0;
  size_t end = 0;
};

// Every executable section by section index. Throws ElfError for sizes that are not whole
// instructions, function symbols outside their section, misplaced or duplicate relocations
// and relocation types code cannot carry.
std::map<size_t, CodeSection> read_code_sections(const ElfImage& image);

// Programs in section order, .text's last (see program_linker.h for which symbols count).
std::vector<EntryPoint> entry_points(const std::map<size_t, CodeSection>& code);

}  // namespace nicsim::ebpf::elf
