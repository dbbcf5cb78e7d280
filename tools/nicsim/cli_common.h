#pragma once
// What several commands share: option parsing with uniform --help, loading a BPF object and
// choosing its program, and the default locations of the bundled programs.

#include <boost/program_options.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ebpf/program/program.h"

namespace nicsim::cli {

namespace po = boost::program_options;

// Parses `args`; prints `usage` and the options and returns false when --help was asked for.
// Throws (po::error) on unknown options or bad values.
bool parse_command_line(const std::vector<std::string>& args, std::string_view usage,
                        const po::options_description& options,
                        const po::positional_options_description& positional,
                        po::variables_map& values);

struct LoadedProgram {
  ebpf::ElfObject object;
  size_t program_index = 0;
  const ebpf::Program& program() const { return object.programs[program_index]; }
};

// Loads `path` and picks the program named `section` (section, function or section/function);
// with no name: the only program, or the only XDP program when `want_xdp`. Throws
// nicsim::Error listing the candidates otherwise, or when `want_xdp` and the program is not XDP.
LoadedProgram load_program(const std::string& path, const std::string& section, bool want_xdp);

// Map contents JSON that sits beside an object ("prog.o" -> "prog.maps.json"), if any.
std::optional<std::string> default_maps_file(const std::string& object_path);

// The bundled programs (built into the build tree) and the default program of `compare`.
std::string bundled_programs_dir();
std::string bundled_program(std::string_view name);  // "xdp_firewall" -> ".../xdp_firewall.o"

}  // namespace nicsim::cli
