// nicsim disasm: a program's instructions, with source lines from BTF.

#include <fmt/format.h>

#include "ebpf/asm/disassembler.h"
#include "ebpf/util/error.h"
#include "tools/nicsim/cli_common.h"
#include "tools/nicsim/command.h"

namespace nicsim::cli {

int disasm_main(const std::vector<std::string>& args) {
  std::string object_path, section, syntax;
  po::options_description options("options");
  options.add_options()("object", po::value(&object_path)->required(), "BPF object file")(
      "section,s", po::value(&section)->default_value(""), "program (default: the only one)")(
      "syntax", po::value(&syntax)->default_value("pseudo-c"), "pseudo-c | conformance")(
      "raw", "show the raw instruction bytes")("no-source", "do not interleave source lines");
  po::positional_options_description positional;
  positional.add("object", 1);
  po::variables_map values;
  if (!parse_command_line(args, "usage: nicsim disasm prog.o [--section S]", options, positional,
                          values))
    return kExitOk;
  ebpf::AsmSyntax chosen;
  if (syntax == "pseudo-c") {
    chosen = ebpf::AsmSyntax::PseudoC;
  } else if (syntax == "conformance") {
    chosen = ebpf::AsmSyntax::Conformance;
  } else {
    throw Error(fmt::format("unknown syntax '{}' (pseudo-c or conformance)", syntax));
  }

  const LoadedProgram loaded = load_program(object_path, section, /*want_xdp=*/false);
  const ebpf::Program& prog = loaded.program();
  const bool source = !values.count("no-source");
  size_t next_function = 0;
  const ebpf::SourceLocation* last_location = nullptr;
  for (size_t i = 0; i < prog.insns.size(); i += prog.insns[i].is_lddw() ? 2 : 1) {
    while (next_function < prog.functions.size() && prog.functions[next_function].first <= i) {
      fmt::print("{}{}:\n", i == 0 ? "" : "\n", prog.functions[next_function].second);
      ++next_function;
    }
    if (source) {
      const ebpf::SourceLocation* location = prog.location_of(i);
      if (location && location != last_location && !location->text.empty())
        fmt::print("; {}  [{}:{}]\n", location->text, location->file, location->line);
      last_location = location;
    }
    std::string text = ebpf::disassemble_instruction(prog.insns, i, chosen);
    if (values.count("raw")) {
      text = fmt::format("{:016x}  {}", __builtin_bswap64(prog.insns[i].raw()), text);
    }
    fmt::print("{:>6}: {}\n", i, text);
  }
  return kExitOk;
}

}  // namespace nicsim::cli
