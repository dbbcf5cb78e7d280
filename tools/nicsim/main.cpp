// nicsim: verify, compile, run and simulate eBPF/XDP programs on a SmartNIC model and the host.

#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "tools/nicsim/command.h"

namespace {

void print_usage() {
  fmt::print(
      "nicsim {} — eBPF/XDP offload simulator\n\n"
      "usage: nicsim <command> [options]   (nicsim <command> --help for its options)\n\n"
      "commands:\n",
      NICSIM_VERSION);
  for (const auto& command : nicsim::cli::commands())
    fmt::print("  {:<9} {}\n", command.name, command.summary);
  fmt::print(
      "\nexit codes: 0 success, 1 negative verdict (program refused, mismatch), 2 bad input\n"
      "documentation: docs/ in the source tree\n");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    if (args.size() >= 2 && args[0] == "help") {
      args = {args[1], "--help"};
    } else {
      print_usage();
      return args.empty() ? nicsim::cli::kExitBadInput : nicsim::cli::kExitOk;
    }
  }
  if (args[0] == "--version") {
    fmt::print("nicsim {}\n", NICSIM_VERSION);
    return 0;
  }
  for (const auto& command : nicsim::cli::commands()) {
    if (command.name == args[0]) {
      try {
        return command.main(std::vector<std::string>(args.begin() + 1, args.end()));
      } catch (const std::exception& e) {
        fmt::print(stderr, "nicsim {}: {}\n", command.name, e.what());
        return nicsim::cli::kExitBadInput;
      }
    }
  }
  fmt::print(stderr, "nicsim: unknown command '{}' (nicsim --help lists the commands)\n", args[0]);
  return nicsim::cli::kExitBadInput;
}
