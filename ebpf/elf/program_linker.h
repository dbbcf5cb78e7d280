#pragma once
// Turns the code sections of an object into self-contained programs, as libbpf does before
// loading: each program is its entry function followed by every function it calls or takes
// the address of (each appended once, recursively, in the order the references are met),
// with map, global data and function references resolved.
//
// Which symbols are programs:
//  - in an executable section other than .text, each global STT_FUNC symbol; a section with
//    no global function symbol (objects from older compilers) is one program named after it;
//  - in .text, each global STT_FUNC symbol too (libbpf calls them global subprograms, which
//    the kernel verifies on their own), and the whole of .text when it has no function
//    symbols at all. Objects whose code is entirely in .text (common in test corpora) are
//    therefore loadable; .text programs come after all the others.

#include <string>
#include <vector>

#include "ebpf/elf/elf_image.h"
#include "ebpf/elf/line_info.h"
#include "ebpf/elf/map_table.h"
#include "ebpf/program/program.h"

namespace nicsim::ebpf::elf {

struct LinkedPrograms {
  std::vector<Program> programs;
  // "<path>: program '<name>': call to undefined function 'f' (...)" for each program left out.
  std::vector<std::string> skipped;
};

// A program that calls a function the object does not define (e.g. a memset that LLVM could
// not inline, common in large objects whose loaders load each section on its own) is left
// out and listed in `skipped`; every other problem throws ElfError naming the section,
// instruction and symbol, or "<path>: program '<name>': insn N: <reason>" for an invalid
// final program. An object left with no program at all throws too.
LinkedPrograms link_programs(const ElfImage& image, const MapTable& maps, const LineTable& lines);

}  // namespace nicsim::ebpf::elf
