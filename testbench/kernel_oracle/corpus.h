#pragma once
// The programs a kernel comparison runs over: the ebpf-samples corpus as
// expectations_prevail_2025-04.tsv lists it (the programs whose object is present), and the
// bundled XDP programs and kernel samples built in bench/programs.

#include <string>
#include <vector>

namespace nicsim::kernel_oracle {

struct CorpusProgram {
  std::string name;      // unique, [A-Za-z0-9_] ("linux_xdp1_kern_o_xdp1")
  std::string path;      // the object
  std::string section;   // the program's section
  std::string function;  // its function ("" when the list gives none)
  // The list's expectation ("accept", "reject(unsafe)", "accept(legacy-map-format)", ...);
  // "accept" for the bundled programs.
  std::string expectation;
};

// Programs of <samples_dir>/expectations_prevail_2025-04.tsv marked present, whose object
// exists; expectations that say the object is malformed (elf-load-error, unmarshal-error) are
// left out. Throws nicsim::Error when the list cannot be read.
std::vector<CorpusProgram> ebpf_samples_programs(const std::string& samples_dir);

// Every program of every object in `directory` (non-recursive, *.o, sorted), named
// <prefix><stem>_<program>. Objects nicsim's ELF loader refuses throw nicsim::Error.
std::vector<CorpusProgram> directory_programs(const std::string& directory,
                                              const std::string& prefix);

}  // namespace nicsim::kernel_oracle
