// nicsim-rtl-speed: simulated cycles per second of the Verilated core next to the model's,
// without and with a waveform (VCD, and FST converted from it), on an XDP program under
// back-to-back 64-byte traffic.
//
//   nicsim-rtl-speed <prog.o> [packets] [wave-stem | -] [--repeat N] [--json FILE|-]
//
// Exit status 0 on success, 1 when a run fails, 2 on bad arguments.

#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <ctime>
#include <fstream>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ebpf/elf/elf_loader.h"
#include "ebpf/util/error.h"
#include "jit/nic/compiler.h"
#include "model/engine/model_engine.h"
#include "testbench/rtl_engine/rtl_engine.h"
#include "testbench/traffic/generator.h"
#include "testbench/traffic/traffic_spec.h"
#include "testbench/wave/model_wave.h"

namespace {

namespace po = boost::program_options;

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

// One engine and waveform setting, run on a fresh engine each time it is measured.
struct Variant {
  std::string name;
  std::function<Measure()> measure;
};

double cycles_per_second(const Measure& m) {
  return m.cycles / m.seconds;
}

// The fastest run is the one least disturbed by other work on the machine; the median shows how
// far the others were from it.
struct Summary {
  Measure best;
  double median_cycles_per_second = 0;
};

Summary summarise(const std::vector<Measure>& runs) {
  std::vector<double> speeds;
  for (const Measure& m : runs)
    speeds.push_back(cycles_per_second(m));
  std::sort(speeds.begin(), speeds.end());
  const size_t n = speeds.size();
  Summary s;
  s.best = *std::max_element(runs.begin(), runs.end(), [](const Measure& a, const Measure& b) {
    return cycles_per_second(a) < cycles_per_second(b);
  });
  s.median_cycles_per_second = n % 2 ? speeds[n / 2] : (speeds[n / 2 - 1] + speeds[n / 2]) / 2;
  return s;
}

struct Options {
  std::string object_path;
  int packets = 20000;
  std::string wave_stem = "/tmp/nicsim-rtl-speed";
  int repeat = 1;
  std::string json_path;
};

const char* const kUsage =
    "usage: nicsim-rtl-speed <prog.o> [packets] [wave-stem | -] [--repeat N] [--json FILE|-]\n"
    "\n"
    "Simulated NIC cycles per CPU second of the SystemC model and of the Verilated RTL core,\n"
    "on the object's first program under back-to-back 64-byte UDP packets (16 flows), then\n"
    "of both with a VCD and with an FST waveform of every cycle (written to\n"
    "<wave-stem>.vcd/.fst and <wave-stem>-model.vcd/.fst; '-' skips the waveform runs).\n"
    "Only the engines' run time is counted (CPU time of this thread, plus the waveform\n"
    "converters it starts), in batches of 1,024 frames built outside the timed region.\n"
    "With --repeat N every measurement runs N times, alternated, each on a fresh engine: the\n"
    "line shows the fastest run and the median of the N, so that runs on a busy machine can be\n"
    "compared (bench/RESULTS.md).\n";

// nullopt: --help was printed.
std::optional<Options> parse_options(int argc, char** argv) {
  Options o;
  po::options_description named("options");
  named.add_options()("help,h", "this help")("object", po::value<std::string>(&o.object_path),
                                             "BPF object file (first positional argument)")(
      "packets", po::value<int>(&o.packets)->default_value(o.packets),
      "packets per run (second positional argument)")(
      "wave-stem", po::value<std::string>(&o.wave_stem)->default_value(o.wave_stem),
      "path stem of the waveforms, '-' for no waveform runs (third positional argument)")(
      "repeat", po::value<int>(&o.repeat)->default_value(o.repeat),
      "runs of every measurement, alternated; reports the fastest and the median")(
      "json", po::value<std::string>(&o.json_path), "also write the results as JSON ('-': stdout)");
  po::positional_options_description positional;
  positional.add("object", 1).add("packets", 1).add("wave-stem", 1);
  po::variables_map values;
  po::store(po::command_line_parser(argc, argv).options(named).positional(positional).run(),
            values);
  po::notify(values);
  if (values.count("help") != 0) {
    std::cout << kUsage << "\n" << named << "\n";
    return std::nullopt;
  }
  if (o.object_path.empty()) throw po::error("no BPF object given (see --help)");
  if (o.packets < 1) throw po::error(fmt::format("--packets {}: at least 1", o.packets));
  if (o.repeat < 1) throw po::error(fmt::format("--repeat {}: at least 1", o.repeat));
  return o;
}

std::vector<Variant> variants(const nicsim::ebpf::ElfObject& object,
                              const nicsim::firmware::Image& image,
                              const std::vector<nicsim::traffic::Packet>& packets,
                              const std::string& wave_stem) {
  using nicsim::rtl::WaveFormat;
  std::vector<Variant> list;
  list.push_back({"model", [&] {
                    nicsim::ebpf::Runtime runtime(object);
                    nicsim::model::ModelEngine model(image, runtime);
                    return run(model, packets);
                  }});
  list.push_back({"rtl", [&] {
                    nicsim::ebpf::Runtime runtime(object);
                    nicsim::rtl::RtlEngine rtl(image, runtime);
                    return run(rtl, packets);
                  }});
  if (wave_stem == "-") return list;
  for (const WaveFormat format : {WaveFormat::Vcd, WaveFormat::Fst}) {
    const bool fst = format == WaveFormat::Fst;
    list.push_back({fst ? "model + FST waveform" : "model + VCD waveform", [&, format, fst] {
                      nicsim::ebpf::Runtime runtime(object);
                      nicsim::model::ModelEngine model(image, runtime);
                      const nicsim::wave::WaveOptions options{
                          wave_stem + (fst ? "-model.fst" : "-model.vcd"), format, 0, UINT64_MAX,
                          ""};
                      nicsim::wave::ModelWaveWriter writer(model.system().image(), options,
                                                           model.system().config().contexts,
                                                           model.system().config().clock_hz);
                      model.system().set_observer(&writer);
                      Measure m = run(model, packets);
                      const double start = cpu_seconds();
                      writer.finish(model.system().cycle());
                      m.seconds += cpu_seconds() - start;
                      return m;
                    }});
  }
  for (const WaveFormat format : {WaveFormat::Vcd, WaveFormat::Fst}) {
    const bool fst = format == WaveFormat::Fst;
    list.push_back(
        {fst ? "rtl + FST waveform" : "rtl + VCD waveform", [&, format, fst] {
           nicsim::ebpf::Runtime runtime(object);
           nicsim::rtl::RtlEngine rtl(image, runtime);
           rtl.system().open_wave({wave_stem + (fst ? ".fst" : ".vcd"), format, 0, UINT64_MAX, ""});
           Measure m = run(rtl, packets);
           const double start = cpu_seconds();
           rtl.system().close_wave();  // VCD: the FST -> VCD conversion is counted
           m.seconds += cpu_seconds() - start;
           return m;
         }});
  }
  return list;
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<Options> options;
  try {
    options = parse_options(argc, argv);
    if (!options) return 0;
  } catch (const po::error& e) {
    fmt::print(stderr, "nicsim-rtl-speed: {}\n", e.what());
    return 2;
  }
  std::optional<nicsim::ebpf::ElfObject> object;
  std::optional<nicsim::firmware::Image> image;
  try {
    object = nicsim::ebpf::load_elf_file(options->object_path);
    if (object->programs.empty())
      throw nicsim::Error(fmt::format("{}: no program to run", options->object_path));
    image = nicsim::jit::nic::compile(object->programs.front(), *object).image;
  } catch (const std::exception& e) {
    fmt::print(stderr, "nicsim-rtl-speed: {}\n", e.what());
    return 2;
  }
  try {
    const auto packets = nicsim::traffic::generate_traffic(nicsim::traffic::parse_traffic_spec(
        fmt::format("ip=4,proto=udp,size=64,flows=16,packets={}", options->packets)));
    fmt::print("{}: {} bundles, {} packets of 64 bytes, back to back{}\n", options->object_path,
               image->bundle_count(), packets.size(),
               options->repeat > 1 ? fmt::format(", best of {} runs", options->repeat) : "");
    const std::vector<Variant> list = variants(*object, *image, packets, options->wave_stem);
    std::vector<std::vector<Measure>> runs(list.size());
    for (int r = 0; r < options->repeat; ++r) {
      for (size_t i = 0; i < list.size(); ++i)
        runs[i].push_back(list[i].measure());
    }
    nlohmann::json results = nlohmann::json::array();
    for (size_t i = 0; i < list.size(); ++i) {
      const Variant& v = list[i];
      const Summary s = summarise(runs[i]);
      fmt::print("{:<22} {:>10} cycles {:>8.3f} s {:>12.0f} cycles/s", v.name, s.best.cycles,
                 s.best.seconds, cycles_per_second(s.best));
      if (runs[i].size() > 1) fmt::print("   median {:>12.0f}", s.median_cycles_per_second);
      fmt::print("\n");
      nlohmann::json speeds = nlohmann::json::array();
      for (const Measure& m : runs[i])
        speeds.push_back(cycles_per_second(m));
      results.push_back({{"engine", v.name},
                         {"cycles", s.best.cycles},
                         {"best_seconds", s.best.seconds},
                         {"best_cycles_per_second", cycles_per_second(s.best)},
                         {"median_cycles_per_second", s.median_cycles_per_second},
                         {"cycles_per_second", speeds}});
    }
    if (!options->json_path.empty()) {
      const nlohmann::json document = {{"object", options->object_path},
                                       {"packets", packets.size()},
                                       {"runs", options->repeat},
                                       {"results", results}};
      if (options->json_path == "-") {
        std::cout << document.dump(2) << "\n";
      } else {
        std::ofstream out(options->json_path);
        out << document.dump(2) << "\n";
        if (!out)
          throw nicsim::Error(fmt::format("{}: cannot write the JSON results", options->json_path));
      }
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "nicsim-rtl-speed: {}\n", e.what());
    return 1;
  }
  return 0;
}
