#pragma once
// The `nicsim` command line: one sub-command per job (run, gen, verify, jit, sim, compare,
// wave, ...). Each command parses its own options with Boost.Program_options and returns the
// process exit code: 0 success, 1 a negative verdict (e.g. a refused program), 2 bad input.

#include <string>
#include <string_view>
#include <vector>

namespace nicsim::cli {

constexpr int kExitOk = 0;
constexpr int kExitRejected = 1;
constexpr int kExitBadInput = 2;

struct Command {
  std::string_view name;
  std::string_view summary;                           // one line for `nicsim --help`
  int (*main)(const std::vector<std::string>& args);  // args exclude "nicsim <name>"
};

// Every command, in the order `nicsim --help` lists them.
const std::vector<Command>& commands();

int run_main(const std::vector<std::string>& args);
int gen_main(const std::vector<std::string>& args);
int inspect_main(const std::vector<std::string>& args);
int disasm_main(const std::vector<std::string>& args);
int compare_main(const std::vector<std::string>& args);
int jit_main(const std::vector<std::string>& args);
int verify_main(const std::vector<std::string>& args);
int sim_main(const std::vector<std::string>& args);
int wave_main(const std::vector<std::string>& args);

}  // namespace nicsim::cli
