#pragma once
// The programs every engine benchmark runs: the NIC benchmark suite (model/suite: bundled
// programs and the Linux kernel's XDP samples, each with the traffic and map contents that
// exercise it) plus an empty program that measures the harness itself.

#include <functional>
#include <string>
#include <vector>

#include "ebpf/runtime/runtime.h"
#include "testbench/traffic/packet.h"

namespace nicsim::bench {

struct BenchProgram {
  std::string name;          // benchmark name
  std::string object;        // path of the BPF object ("" for the built-in empty program)
  std::string traffic;       // traffic spec (testbench/traffic)
  std::string program = {};  // section or function; "" for the object's first program
  // Fills the runtime's maps for this traffic (empty: nothing to fill).
  std::function<void(ebpf::Runtime&, const std::vector<traffic::Packet>&)> populate = {};
};

std::vector<BenchProgram> bench_programs();

}  // namespace nicsim::bench
