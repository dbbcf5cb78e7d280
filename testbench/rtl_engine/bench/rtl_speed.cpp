// nicsim-rtl-speed: simulated cycles per second of the Verilated core next to the model's,
// without and with a waveform (VCD, and FST converted from it), on an XDP program under
// back-to-back 64-byte traffic.
//
//   nicsim-rtl-speed <prog.o> [packets] [wave-stem | -]   ("-": no waveform runs)

#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "ebpf/elf/elf_loader.h"
#include "jit/nic/compiler.h"
#include "model/engine/model_engine.h"
#include "testbench/rtl_engine/rtl_engine.h"
#include "testbench/traffic/generator.h"
#include "testbench/traffic/traffic_spec.h"
#include "testbench/wave/model_wave.h"

namespace {

// CPU time, not wall time: the machines this runs on are shared. It counts this thread and the
// finished child processes (vcd2fst / fst2vcd when a waveform is converted).
double cpu_seconds() {
  timespec own{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &own);
  rusage children{};
  getrusage(RUSAGE_CHILDREN, &children);
  const auto tv = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return own.tv_sec + own.tv_nsec / 1e9 + tv(children.ru_utime) + tv(children.ru_stime);
}

struct Measure {
  uint64_t cycles = 0;
  double seconds = 0;
};

// Packets run in batches of this many frames, rebuilt in place before each batch outside the
// timed region (as nicsim-nic-offload's speed runs do): the frames stay in the host's caches, so
// the time is the engine's, not the cache misses of a fresh 4 KiB buffer per packet (400 MB for
// 100,000 packets). Each batch runs until the NIC is idle; the next starts on an idle NIC.
constexpr size_t kBatch = 1024;

template <typename Engine>
Measure run(Engine& engine, const std::vector<nicsim::traffic::Packet>& packets) {
  std::vector<std::optional<nicsim::ebpf::XdpFrame>> frames(kBatch);
  std::vector<nicsim::ebpf::XdpFrame*> pointers;
  Measure m;
  const uint64_t before = engine.system().cycle();
  for (size_t done = 0; done < packets.size(); done += kBatch) {
    const size_t n = std::min(kBatch, packets.size() - done);
    pointers.clear();
    for (size_t i = 0; i < n; ++i) {
      const auto& p = packets[done + i];
      frames[i].reset();
      frames[i].emplace(p.bytes, p.ingress_ifindex, p.rx_queue_index);
      pointers.push_back(&*frames[i]);
    }
    const double start = cpu_seconds();
    engine.run_batch(pointers);
    m.seconds += cpu_seconds() - start;
  }
  m.cycles = engine.system().cycle() - before;
  return m;
}

void report(const char* what, const Measure& m) {
  fmt::print("{:<22} {:>10} cycles {:>8.3f} s {:>12.0f} cycles/s\n", what, m.cycles, m.seconds,
             m.cycles / m.seconds);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fmt::print(stderr, "usage: nicsim-rtl-speed <prog.o> [packets] [wave-stem or -]\n");
    return 2;
  }
  const std::string object_path = argv[1];
  const int packets_n = argc > 2 ? std::atoi(argv[2]) : 20000;
  const std::string wave = argc > 3 ? argv[3] : "/tmp/nicsim-rtl-speed";
  try {
    const auto object = nicsim::ebpf::load_elf_file(object_path);
    const auto image = nicsim::jit::nic::compile(object.programs.at(0), object).image;
    const auto packets = nicsim::traffic::generate_traffic(nicsim::traffic::parse_traffic_spec(
        fmt::format("ip=4,proto=udp,size=64,flows=16,packets={}", packets_n)));
    fmt::print("{}: {} bundles, {} packets of 64 bytes, back to back\n", object_path,
               image.bundle_count(), packets.size());
    {
      nicsim::ebpf::Runtime runtime(object);
      nicsim::model::ModelEngine model(image, runtime);
      report("model", run(model, packets));
    }
    {
      nicsim::ebpf::Runtime runtime(object);
      nicsim::rtl::RtlEngine rtl(image, runtime);
      report("rtl", run(rtl, packets));
    }
    for (const auto format : {nicsim::rtl::WaveFormat::Vcd, nicsim::rtl::WaveFormat::Fst}) {
      if (wave == "-") break;
      const bool fst = format == nicsim::rtl::WaveFormat::Fst;
      nicsim::ebpf::Runtime runtime(object);
      nicsim::model::ModelEngine model(image, runtime);
      const nicsim::wave::WaveOptions options{wave + (fst ? "-model.fst" : "-model.vcd"), format, 0,
                                              UINT64_MAX, ""};
      nicsim::wave::ModelWaveWriter writer(model.system().image(), options,
                                           model.system().config().contexts,
                                           model.system().config().clock_hz);
      model.system().set_observer(&writer);
      Measure m = run(model, packets);
      const double start = cpu_seconds();
      writer.finish(model.system().cycle());
      m.seconds += cpu_seconds() - start;
      report(fst ? "model + FST waveform" : "model + VCD waveform", m);
    }
    for (const auto format : {nicsim::rtl::WaveFormat::Vcd, nicsim::rtl::WaveFormat::Fst}) {
      if (wave == "-") break;
      const bool fst = format == nicsim::rtl::WaveFormat::Fst;
      nicsim::ebpf::Runtime runtime(object);
      nicsim::rtl::RtlEngine rtl(image, runtime);
      rtl.system().open_wave({wave + (fst ? ".fst" : ".vcd"), format, 0, UINT64_MAX, ""});
      Measure m = run(rtl, packets);
      const double start = cpu_seconds();
      rtl.system().close_wave();  // VCD: the FST -> VCD conversion belongs to the cost
      m.seconds += cpu_seconds() - start;
      report(fst ? "rtl + FST waveform" : "rtl + VCD waveform", m);
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "nicsim-rtl-speed: {}\n", e.what());
    return 1;
  }
  return 0;
}
