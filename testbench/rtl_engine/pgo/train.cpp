// nicsim-rtl-pgo-train: the training run of the profile-guided build of the Verilated core
// (rtl/CMakeLists.txt, NICSIM_RTL_PGO). Linked with the instrumented build, it runs each XDP
// program given through the RTL engine under generated traffic; the instrumented code writes
// its counts when the process exits. The build runs it on the bundled programs.
//
//   nicsim-rtl-pgo-train <prog.o>...

#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "ebpf/elf/elf_loader.h"
#include "jit/nic/compiler.h"
#include "testbench/rtl_engine/rtl_engine.h"
#include "testbench/traffic/generator.h"
#include "testbench/traffic/traffic_spec.h"

namespace {

// Small and larger packets, UDP and TCP, over IPv4 and IPv6: the programs' parsers take their
// different paths, and the core sees both back-to-back dispatch and longer transfers.
constexpr const char* kTraffic[] = {
    "ip=4,proto=udp,size=64,flows=16,packets=6000",
    "ip=mix,proto=mix,size=128-512,flows=64,packets=3000",
};

void train(const std::string& path) {
  const auto object = nicsim::ebpf::load_elf_file(path);
  const auto image = nicsim::jit::nic::compile(object.programs.at(0), object).image;
  uint64_t cycles = 0;
  for (const char* spec : kTraffic) {
    const auto packets =
        nicsim::traffic::generate_traffic(nicsim::traffic::parse_traffic_spec(spec));
    std::vector<std::unique_ptr<nicsim::ebpf::XdpFrame>> frames;
    std::vector<nicsim::ebpf::XdpFrame*> pointers;
    for (const auto& p : packets) {
      frames.push_back(
          std::make_unique<nicsim::ebpf::XdpFrame>(p.bytes, p.ingress_ifindex, p.rx_queue_index));
      pointers.push_back(frames.back().get());
    }
    nicsim::ebpf::Runtime runtime(object);
    nicsim::rtl::RtlEngine engine(image, runtime);
    engine.run_batch(pointers);
    cycles += engine.system().cycle();
  }
  fmt::print("{}: {} cycles\n", path, cycles);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fmt::print(stderr, "usage: nicsim-rtl-pgo-train <prog.o>...\n");
    return 2;
  }
  try {
    for (int i = 1; i < argc; ++i)
      train(argv[i]);
  } catch (const std::exception& e) {
    fmt::print(stderr, "nicsim-rtl-pgo-train: {}\n", e.what());
    return 1;
  }
  return 0;
}
