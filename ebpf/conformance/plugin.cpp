#include "ebpf/conformance/plugin.h"

#include <fmt/format.h>

#include <exception>
#include <istream>
#include <iterator>
#include <ostream>

#include "ebpf/conformance/hex.h"
#include "ebpf/util/error.h"

namespace nicsim::ebpf::conformance {

namespace {

std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < text.size()) {
    const size_t begin = text.find_first_not_of(" \t\r\n", i);
    if (begin == std::string::npos) break;
    const size_t end = std::min(text.find_first_of(" \t\r\n", begin), text.size());
    words.push_back(text.substr(begin, end - begin));
    i = end;
  }
  return words;
}

std::string engine_names(std::span<const NamedEngine> engines) {
  std::string names;
  for (const auto& engine : engines)
    names += (names.empty() ? "" : ", ") + engine.name;
  return names;
}

void print_usage(std::ostream& out, std::span<const NamedEngine> engines) {
  out << "usage: nicsim-conformance-plugin [MEMORY_HEX] [--engine NAME] < PROGRAM_HEX\n"
         "Runs one eBPF program (its bytes as hex on stdin) with r1 pointing to MEMORY_HEX and\n"
         "r2 holding its length, and prints r0 in hex. Engines: "
      << engine_names(engines) << " (default interp).\n";
}

}  // namespace

PluginArguments parse_plugin_arguments(std::span<const std::string> arguments) {
  PluginArguments parsed;
  bool have_memory = false;
  std::vector<std::string> words;
  for (const std::string& argument : arguments) {
    if (argument.starts_with("--")) {
      for (auto& word : split_words(argument))
        words.push_back(std::move(word));
    } else if (argument.find_first_not_of(" \t\r\n") == std::string::npos) {
      continue;  // upstream passes an empty options argument
    } else if (!have_memory && words.empty()) {
      parsed.memory = parse_hex_bytes(argument, "memory argument");
      have_memory = true;
    } else {
      words.push_back(argument);
    }
  }
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (word == "--engine") {
      if (i + 1 >= words.size()) throw Error("--engine needs an engine name");
      parsed.engine = words[++i];
    } else if (word.starts_with("--engine=")) {
      parsed.engine = word.substr(9);
    } else if (word == "--help" || word == "-h") {
      parsed.help = true;
    } else if (word == "--elf") {
      throw Error("--elf: ELF input is not supported; pass the program's instructions as hex");
    } else {
      throw Error(fmt::format("unexpected argument '{}'", word));
    }
  }
  return parsed;
}

int run_plugin(std::span<const std::string> arguments, std::istream& in, std::ostream& out,
               std::ostream& err, std::span<const NamedEngine> engines) {
  PluginArguments parsed;
  const NamedEngine* engine = nullptr;
  std::vector<Instruction> program;
  try {
    parsed = parse_plugin_arguments(arguments);
    if (parsed.help) {
      print_usage(out, engines);
      return kPluginOk;
    }
    for (const auto& candidate : engines) {
      if (candidate.name == parsed.engine) engine = &candidate;
    }
    if (engine == nullptr)
      throw Error(
          fmt::format("unknown engine '{}' (available: {})", parsed.engine, engine_names(engines)));
    const std::string input{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    program =
        instructions_from_bytes(parse_hex_bytes(input, "program on stdin"), "program on stdin");
    if (program.empty()) throw Error("program on stdin: no instructions");
  } catch (const std::exception& e) {
    err << e.what() << '\n';
    return kPluginUsageError;
  }

  ConformanceCase test_case;
  test_case.name = "stdin";
  test_case.instructions = std::move(program);
  test_case.memory = std::move(parsed.memory);
  const CaseOutcome outcome = run_case(test_case, engine->factory);
  if (!outcome.return_value) {
    err << outcome.reason << '\n';
    return kPluginProgramFailed;
  }
  out << fmt::format("{:x}", *outcome.return_value) << '\n';
  return kPluginOk;
}

}  // namespace nicsim::ebpf::conformance
