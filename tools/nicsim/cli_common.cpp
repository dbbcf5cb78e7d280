#include "tools/nicsim/cli_common.h"

#include <fmt/format.h>

#include <filesystem>
#include <iostream>

#include "ebpf/elf/elf_loader.h"
#include "ebpf/util/error.h"

namespace nicsim::cli {

bool parse_command_line(const std::vector<std::string>& args, std::string_view usage,
                        const po::options_description& options,
                        const po::positional_options_description& positional,
                        po::variables_map& values) {
  po::options_description all;
  all.add(options);
  all.add_options()("help,h", "show this help");
  po::store(po::command_line_parser(args).options(all).positional(positional).run(), values);
  if (values.count("help")) {
    std::cout << usage << "\n\n" << all << "\n";
    return false;
  }
  po::notify(values);
  return true;
}

LoadedProgram load_program(const std::string& path, const std::string& section, bool want_xdp) {
  LoadedProgram loaded{ebpf::load_elf_file(path), 0};
  const auto& programs = loaded.object.programs;
  if (programs.empty()) throw Error(fmt::format("{}: the object holds no program", path));
  if (!section.empty()) {
    const ebpf::Program& chosen = loaded.object.find_program(section);
    loaded.program_index = static_cast<size_t>(&chosen - programs.data());
  } else if (programs.size() > 1) {
    std::vector<size_t> candidates;
    for (size_t i = 0; i < programs.size(); ++i) {
      if (!want_xdp || programs[i].type == ebpf::ProgramType::Xdp) candidates.push_back(i);
    }
    if (candidates.size() != 1) {
      std::string names;
      for (const auto& prog : programs)
        names += (names.empty() ? "" : ", ") + prog.display_name();
      throw Error(fmt::format("{}: holds {} programs ({}); choose one with --section", path,
                              programs.size(), names));
    }
    loaded.program_index = candidates.front();
  }
  const ebpf::Program& prog = loaded.program();
  if (want_xdp && prog.type != ebpf::ProgramType::Xdp && prog.type != ebpf::ProgramType::Unspec)
    throw Error(fmt::format("{}: program '{}' is of type {}, not an XDP program", path,
                            prog.display_name(), ebpf::program_type_name(prog.type)));
  return loaded;
}

std::optional<std::string> default_maps_file(const std::string& object_path) {
  std::filesystem::path candidate(object_path);
  candidate.replace_extension(".maps.json");
  if (std::filesystem::exists(candidate)) return candidate.string();
  return std::nullopt;
}

std::string bundled_programs_dir() {
  return NICSIM_PROGRAMS_DIR;
}

std::string bundled_program(std::string_view name) {
  return (std::filesystem::path(bundled_programs_dir()) / (std::string(name) + ".o")).string();
}

}  // namespace nicsim::cli
