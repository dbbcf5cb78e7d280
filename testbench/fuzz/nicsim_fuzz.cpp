// nicsim-fuzz: the differential fuzzer for long runs.
//   nicsim-fuzz --seed 1 --count 20000 --engines x86_64,x86_64-checked,arm64,nic
// Exit status 0 when every engine agreed with the interpreter on every accepted program,
// 1 on a mismatch, 2 on bad arguments.

#include <boost/program_options.hpp>
#include <iostream>

#include "ebpf/util/error.h"
#include "testbench/fuzz/fuzz_runner.h"

namespace po = boost::program_options;

int main(int argc, char** argv) {
  nicsim::fuzz::FuzzOptions options;
  std::string engines = "all";
  po::options_description description("nicsim-fuzz options");
  description.add_options()("help,h", "this help")(
      "seed", po::value<uint64_t>(&options.seed)->default_value(1), "first seed")(
      "count", po::value<uint64_t>(&options.count)->default_value(1000), "programs to generate")(
      "packets", po::value<int>(&options.packets)->default_value(8), "packets per program")(
      "engines", po::value<std::string>(&engines)->default_value("all"),
      "engines compared with the interpreter: x86_64, x86_64-checked, arm64, arm64-checked, "
      "nic, or all")("no-minimise", "report mismatches without shrinking them")(
      "max-snippets", po::value<int>(&options.generator.max_snippets)->default_value(40),
      "largest program, in generator snippets");
  try {
    po::variables_map vm;
    po::store(po::parse_command_line(argc, argv, description), vm);
    po::notify(vm);
    if (vm.count("help") != 0) {
      std::cout << description << "\n";
      return 0;
    }
    options.minimise = vm.count("no-minimise") == 0;
    if (options.generator.max_snippets < options.generator.min_snippets)
      options.generator.min_snippets = options.generator.max_snippets;
    const auto chosen = nicsim::fuzz::parse_engines(engines);
    const auto statistics = nicsim::fuzz::run_fuzzer(options, chosen, &std::cerr);
    nicsim::fuzz::print_statistics(statistics, std::cout);
    return statistics.mismatches.empty() ? 0 : 1;
  } catch (const po::error& error) {
    std::cerr << "nicsim-fuzz: " << error.what() << "\n";
    return 2;
  } catch (const nicsim::Error& error) {
    std::cerr << "nicsim-fuzz: " << error.what() << "\n";
    return 2;
  }
}
