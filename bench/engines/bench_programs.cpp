#include "bench/engines/bench_programs.h"

#include "model/suite/program_suite.h"

namespace nicsim::bench {

std::vector<BenchProgram> bench_programs() {
  std::vector<BenchProgram> all;
  all.push_back({"empty", "", "ip=4,proto=udp,size=64,flows=16,packets=512", "", {}});
  const std::string samples = std::string(NICSIM_TESTDATA_DIR) + "/ebpf-samples/linux";
  for (auto& p : model::suite::suite_programs(samples, NICSIM_PROGRAMS_DIR))
    all.push_back({p.name, p.object, p.traffic, p.program, p.populate});
  return all;
}

}  // namespace nicsim::bench
