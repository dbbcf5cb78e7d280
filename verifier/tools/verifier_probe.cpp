// Developer tool: verify programs of an object and print the verdict, statistics and (with
// -v) the state log. Not the user CLI (that is `nicsim verify`).
//   verifier_probe prog.o [section[/function]] [-v] [--log-lines N] [--type xdp]

#include <fmt/format.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "ebpf/elf/elf_loader.h"
#include "verifier/verifier.h"

int main(int argc, char** argv) {
  using namespace nicsim;
  if (argc < 2) {
    std::cerr << "usage: verifier_probe prog.o [section] [-v] [--log-lines N] [--type N]\n";
    return 2;
  }
  std::string section;
  verifier::VerifierOptions options;
  for (int i = 2; i < argc; ++i) {
    if (std::strcmp(argv[i], "-v") == 0) {
      options.log_states = true;
    } else if (std::strcmp(argv[i], "--log-lines") == 0 && i + 1 < argc) {
      options.max_log_lines = static_cast<uint32_t>(std::stoul(argv[++i]));
    } else if (std::strcmp(argv[i], "--type") == 0 && i + 1 < argc) {
      options.program_type = static_cast<ebpf::ProgramType>(std::stoi(argv[++i]));
    } else {
      section = argv[i];
    }
  }
  try {
    const ebpf::ElfObject object = ebpf::load_elf_file(argv[1]);
    int status = 0;
    for (const ebpf::Program& p : object.programs) {
      if (!section.empty() && p.display_name() != section && p.section != section) continue;
      const auto r = verifier::verify(object, p, options);
      for (const auto& line : r.log)
        std::cout << line << "\n";
      std::cout << fmt::format(
          "{} [{}]: {} insns={} processed={} states={} peak={} pruned={} "
          "stack={} time={:.3f}s\n",
          p.display_name(), ebpf::program_type_name(r.program_type),
          r.accepted ? "accepted" : r.error->to_string(), p.insns.size(),
          r.stats.instructions_processed, r.stats.states_stored, r.stats.peak_states,
          r.stats.states_pruned, r.stats.stack_depth, r.stats.seconds);
      if (!r.accepted) status = 1;
    }
    return status;
  } catch (const Error& e) {
    std::cerr << e.what() << "\n";
    return 2;
  }
}
