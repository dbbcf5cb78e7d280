// nicsim inspect: what a BPF object holds.

#include <fmt/format.h>

#include "ebpf/elf/elf_loader.h"
#include "tools/nicsim/cli_common.h"
#include "tools/nicsim/command.h"

namespace nicsim::cli {

int inspect_main(const std::vector<std::string>& args) {
  std::string object_path;
  po::options_description options("options");
  options.add_options()("object", po::value(&object_path)->required(), "BPF object file");
  po::positional_options_description positional;
  positional.add("object", 1);
  po::variables_map values;
  if (!parse_command_line(args, "usage: nicsim inspect prog.o", options, positional, values))
    return kExitOk;

  const ebpf::ElfObject object = ebpf::load_elf_file(object_path);
  fmt::print("{}: license '{}', {} program(s), {} map(s)\n", object_path, object.license,
             object.programs.size(), object.maps.size());
  for (const auto& prog : object.programs) {
    fmt::print("  program {:<32} type {:<14} {:>6} insns  {} function(s){}\n", prog.display_name(),
               ebpf::program_type_name(prog.type), prog.insns.size(), prog.functions.size(),
               prog.line_info.empty() ? "" : ", BTF line info");
  }
  for (size_t i = 0; i < object.maps.size(); ++i) {
    const auto& map = object.maps[i];
    fmt::print(
        "  map {:>2} {:<24} {:<16} key {:>3}  value {:>6}  max_entries {:>8}  flags 0x{:x}\n", i,
        map.name, ebpf::map_type_name(map.type), map.key_size, map.value_size, map.max_entries,
        map.flags);
  }
  return kExitOk;
}

}  // namespace nicsim::cli
