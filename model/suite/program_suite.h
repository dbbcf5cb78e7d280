#pragma once
// The XDP programs the NIC is measured and tested on: the kernel's samples from the shared test
// data and nicsim's bundled programs, each with map contents that make its interesting paths
// run and the traffic it is benchmarked with (64-byte frames aimed at those entries), plus
// hXDP's published numbers where hXDP measured the same kind of program.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ebpf/runtime/runtime.h"
#include "testbench/traffic/packet.h"

namespace nicsim::model::suite {

struct HxdpReference {
  double mpps = 0;
  double cycles_per_packet = 0;
  int rom_bundles = 0;  // 0 when hXDP published no ROM for it
};

struct SuiteProgram {
  std::string name;
  std::string object;   // path of the ELF object
  std::string program;  // section or function; "" for the object's first program
  std::string traffic;  // traffic spec for throughput runs (testbench/traffic syntax)
  // Fills the runtime's maps; may look at the packets that will be sent.
  std::function<void(ebpf::Runtime&, const std::vector<traffic::Packet>&)> populate;
  std::optional<HxdpReference> hxdp;
};

// `samples`: directory of the kernel samples (xdp1_kern.o, ...); `bundled`: directory of the
// bundled programs and their *.maps.json.
std::vector<SuiteProgram> suite_programs(const std::string& samples, const std::string& bundled);

// Throws nicsim::Error naming the map when `name` does not exist or refuses the entry.
void update_map(ebpf::Runtime& runtime, const std::string& name, const std::vector<uint8_t>& key,
                const std::vector<uint8_t>& value);

}  // namespace nicsim::model::suite
