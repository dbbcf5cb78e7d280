#pragma once
// BTF line info: the source location of instructions, read from .BTF.ext (whose records name
// their file and source text by offsets into the .BTF string section).

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "ebpf/elf/elf_image.h"
#include "ebpf/program/program.h"

namespace nicsim::ebpf::elf {

struct LineRecord {
  size_t insn = 0;  // instruction index inside its ELF section
  SourceLocation location;
};

// Line records of each code section (by section index), sorted by instruction.
using LineTable = std::map<size_t, std::vector<LineRecord>>;

// Reads .BTF.ext line info (an object without .BTF/.BTF.ext yields an empty table). When a
// record carries no source text, the line is read from the source file if it can be found:
// `source_root`/<recorded path>, `source_root`/<file name>, then the recorded path itself.
// Throws ElfError for malformed headers, records or string offsets.
LineTable read_line_info(const ElfImage& image, const std::string& source_root);

}  // namespace nicsim::ebpf::elf
