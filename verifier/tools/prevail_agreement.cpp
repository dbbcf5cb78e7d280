// Runs every PREVAIL YAML case and prints the agreement table (markdown) and, with -v, each
// disagreement with nicsim's reason.
//   prevail_agreement <prevail/test-data dir> [-v]

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "verifier/prevail/prevail_run.h"

int main(int argc, char** argv) {
  using namespace nicsim::verifier::prevail;
  if (argc < 2) {
    std::cerr << "usage: prevail_agreement <test-data dir> [-v]\n";
    return 2;
  }
  const bool verbose = argc > 2 && std::strcmp(argv[2], "-v") == 0;
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(argv[1])) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  size_t total = 0, agree = 0;
  std::cout << "| file | cases | agree | nicsim accepts, PREVAIL refuses | nicsim refuses, PREVAIL "
               "accepts |\n";
  std::cout << "|---|---:|---:|---:|---:|\n";
  std::vector<std::string> details;
  for (const std::string& path : files) {
    size_t n = 0, ok = 0, lax = 0, strict = 0;
    for (const PrevailCase& c : read_cases(path)) {
      const CaseOutcome o = run_case(c);
      ++n;
      if (o.agrees()) {
        ++ok;
        continue;
      }
      (o.nicsim_refusal ? strict : lax)++;
      details.push_back(fmt::format("{} | {} | expected {} | nicsim {}: {}", c.file, c.name,
                                    o.expected_refusal ? "refusal" : "accept",
                                    o.nicsim_refusal ? "refuses" : "accepts", o.detail));
    }
    total += n;
    agree += ok;
    std::cout << fmt::format("| {} | {} | {} | {} | {} |\n", path.substr(path.rfind('/') + 1), n,
                             ok, lax, strict);
  }
  std::cout << fmt::format("| **total** | {} | {} ({:.1f}%) | | |\n", total, agree,
                           100.0 * static_cast<double>(agree) / static_cast<double>(total));
  if (verbose) {
    for (const std::string& d : details)
      std::cout << d << "\n";
  }
  return 0;
}
