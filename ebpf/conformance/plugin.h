#pragma once
// The bpf_conformance plugin protocol (what upstream's runner does with a plugin process):
// the program's bytes as hex on stdin, the input memory as hex in the first argument (left out
// when there is none, followed by the plugin options), r0 printed in hex on stdout. Errors go
// to stderr with a non-zero exit status; the runner compares them with a test's "-- error".
// Kept apart from main() so that it can be tested in-process.

#include <iosfwd>
#include <span>
#include <string>
#include <vector>

#include "ebpf/conformance/runner.h"

namespace nicsim::ebpf::conformance {

struct PluginArguments {
  std::vector<uint8_t> memory;
  std::string engine = "interp";
  bool help = false;
};

// Options: --engine <name> (or --engine=<name>), --help. Upstream may pass the options as one
// argument ("--engine interp") and empty arguments; both are accepted. --elf (ELF input) is
// refused. Throws nicsim::Error for anything else.
PluginArguments parse_plugin_arguments(std::span<const std::string> arguments);

constexpr int kPluginOk = 0;
constexpr int kPluginProgramFailed = 1;  // refused or aborted program
constexpr int kPluginUsageError = 2;     // bad arguments or input

// Runs the plugin: returns the process exit status.
int run_plugin(std::span<const std::string> arguments, std::istream& in, std::ostream& out,
               std::ostream& err, std::span<const NamedEngine> engines);

}  // namespace nicsim::ebpf::conformance
