#pragma once
// The programs every engine benchmark runs, with the traffic that exercises each one: the
// bundled programs (bench/programs) and the Linux kernel's XDP samples from the ebpf-samples
// corpus, plus an empty program that measures the harness itself.

#include <string>
#include <vector>

namespace nicsim::bench {

struct BenchProgram {
  std::string name;     // benchmark name
  std::string object;   // path of the BPF object ("" for the built-in empty program)
  std::string traffic;  // traffic spec (testbench/traffic)
};

std::vector<BenchProgram> bench_programs();

}  // namespace nicsim::bench
