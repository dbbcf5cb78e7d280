// The offload numbers: for each program of the suite, compiled by jit/nic and run on the model
// (one core, 64-byte frames, back to back), the static bundle count, the latency of a packet
// alone on the NIC, the throughput in cycles per packet and Mpps at the clock, IPC and the
// stall breakdown; then the same with each compiler pass switched off; then the model's own
// speed. Prints markdown tables (what bench/RESULTS.md records) and, with --json, the data.
//
//   nicsim-nic-offload [--clock 156.25MHz] [--lanes 4] [--contexts 4] [--packets 512]
//                      [--program NAME] [--json out.json] [--no-passes-table]
//                      [--local-facts] [--disasm] [--trace N] [--only-speed]
//                      [--speed-packets N] [--speed-repeat N] [--speed-batch N]
//
// --disasm prints the selected programs' images (with the compile report); --trace N the
// bundle addresses the first N packets issue, each alone on the NIC (the path a packet takes).
// The model's speed is the best of --speed-repeat runs of --speed-packets packets, printed with
// a digest of every packet's outcome (cycles, stalls, result, output bytes) for comparing builds;
// --speed-batch N queues N frames at a time (default 1024), the host memory the frames occupy.
//
// Programs are verified and compiled with the verifier's facts (the JIT's contract), or with
// the compiler's local analysis only (--local-facts, or when the tree has no verifier).

#include <fmt/format.h>

#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "ebpf/elf/elf_loader.h"
#include "jit/nic/compiler.h"
#ifdef NICSIM_HAVE_VERIFIER
#include "jit/nic/verified.h"
#endif
#include "model/engine/model_engine.h"
#include "model/suite/program_suite.h"
#include "testbench/traffic/generator.h"
#include "testbench/traffic/traffic_spec.h"

namespace nicsim::model {
namespace {

struct Options {
  bool verifier_facts = true;
  double clock = 156.25e6;
  uint8_t lanes = 4;
  uint32_t contexts = 4;
  uint64_t packets = 512;
  std::string program;
  std::string json;
  bool passes_table = true;
  bool disasm = false;
  uint64_t trace = 0;
  bool only_speed = false;
  uint64_t speed_packets = 100000;
  uint32_t speed_repeat = 1;
  uint64_t speed_batch = 1024;
};

// CPU time of this thread: on a shared, loaded host the wall clock counts the time other
// processes held the core; the model's speed is what it costs when it runs.
double thread_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Measurement {
  size_t ebpf_instructions = 0;
  size_t bundles = 0;
  double latency = 0;            // mean cycles from dispatch to exit, one packet alone
  double run_cycles = 0;         // mean cycles from start to exit, one packet alone
  double cycles_per_packet = 0;  // back to back
  double ipc = 0;
  std::array<double, kNumStallCauses> stalls{};  // per packet, back to back
  std::array<size_t, ebpf::kNumXdpActions> actions{};
  uint64_t simulated_cycles = 0;
  double seconds = 0;
};

jit::nic::CompileResult compile_program(const ebpf::ElfObject& object, const ebpf::Program& program,
                                        const jit::nic::CompileOptions& options,
                                        bool verifier_facts) {
#ifdef NICSIM_HAVE_VERIFIER
  if (verifier_facts) return jit::nic::compile(verifier::verify_program(object, program), options);
#else
  (void)verifier_facts;
#endif
  return jit::nic::compile(program, object, options);
}

Measurement measure(const suite::SuiteProgram& sp, const jit::nic::CompileOptions& compile,
                    bool verifier_facts, const ModelConfig& config, uint64_t packets) {
  const ebpf::ElfObject object = ebpf::load_elf_file(sp.object);
  const ebpf::Program& program =
      sp.program.empty() ? object.programs.at(0) : object.find_program(sp.program);
  traffic::TrafficSpec spec = traffic::parse_traffic_spec(sp.traffic);
  spec.packets = packets;
  const std::vector<traffic::Packet> traffic = traffic::generate_traffic(spec);
  jit::nic::CompileResult compiled = compile_program(object, program, compile, verifier_facts);
  Measurement m;
  m.ebpf_instructions = program.insns.size();
  m.bundles = compiled.image.program_bundles;

  // Latency: each packet alone on an idle NIC (fresh maps, so that both runs see the same).
  {
    ebpf::Runtime runtime(object);
    sp.populate(runtime, traffic);
    ModelEngine engine(compiled.image, runtime, config);
    const size_t n = std::min<size_t>(traffic.size(), 64);
    for (size_t i = 0; i < n; ++i) {
      ebpf::XdpFrame frame(traffic[i].bytes, traffic[i].ingress_ifindex, traffic[i].rx_queue_index);
      engine.run_xdp(frame);
      m.latency += static_cast<double>(engine.last_outcome().stats.latency()) / n;
      m.run_cycles += static_cast<double>(engine.last_outcome().stats.cycles()) / n;
    }
  }
  // Throughput: every packet queued at once. Only the stepping is timed (the model's speed).
  ebpf::Runtime runtime(object);
  sp.populate(runtime, traffic);
  NicSystem system(compiled.image, runtime, config);
  std::vector<std::unique_ptr<ebpf::XdpFrame>> frames;
  std::vector<PacketOutcome> outcomes(traffic.size());
  std::vector<PacketJob> jobs(traffic.size());
  for (size_t i = 0; i < traffic.size(); ++i) {
    const auto& p = traffic[i];
    frames.push_back(
        std::make_unique<ebpf::XdpFrame>(p.bytes, p.ingress_ifindex, p.rx_queue_index));
    jobs[i].frame = frames.back().get();
    jobs[i].outcome = &outcomes[i];
    jobs[i].time_ns = runtime.now_ns();
    system.submit(&jobs[i]);
  }
  const double t0 = thread_seconds();
  system.run_until_idle();
  m.seconds = thread_seconds() - t0;
  m.simulated_cycles = system.cycle();
  uint64_t first_exit = UINT64_MAX, last_exit = 0, instructions = 0;
  for (const PacketOutcome& o : outcomes) {
    first_exit = std::min(first_exit, o.stats.exit_cycle);
    last_exit = std::max(last_exit, o.stats.exit_cycle);
    instructions += o.stats.ebpf_instructions;
    for (int c = 0; c < kNumStallCauses; ++c)
      m.stalls[c] += static_cast<double>(o.stats.stalls[c]) / outcomes.size();
    ++m.actions[static_cast<size_t>(ebpf::xdp_action_of(o.result))];
  }
  m.cycles_per_packet = static_cast<double>(last_exit - first_exit) / (outcomes.size() - 1);
  m.ipc = static_cast<double>(instructions) / static_cast<double>(m.simulated_cycles);
  return m;
}

std::string fixed(double v, int digits = 2) {
  return fmt::format("{:.{}f}", v, digits);
}

// FNV-1a over everything the model reports for a packet: the steady-state runs double as a
// check that a change to the model keeps every packet's cycles, stalls and output.
class OutcomeDigest {
 public:
  void add(const PacketOutcome& o, const ebpf::XdpFrame& frame) {
    const PacketStats& s = o.stats;
    for (uint64_t v : {s.dispatch_cycle, s.start_cycle, s.exit_cycle, s.release_cycle, s.bundles,
                       s.ebpf_instructions, uint64_t{s.core}, uint64_t{s.context}})
      mix(v);
    for (uint64_t v : s.stalls)
      mix(v);
    mix(o.result.return_value);
    mix(o.result.aborted);
    mix(o.result.instructions);
    for (char ch : o.result.diagnostic)
      mix(static_cast<uint8_t>(ch));
    mix(static_cast<uint64_t>(o.redirect.kind));
    mix(o.redirect.ifindex);
    mix(o.redirect.flags);
    for (uint8_t byte : frame.metadata())
      mix(byte);
    for (uint8_t byte : frame.packet())
      mix(byte);
  }
  uint64_t value() const { return hash_; }

 private:
  void mix(uint64_t v) {
    hash_ ^= v;
    hash_ *= 0x100000001b3;
  }
  uint64_t hash_ = 0xcbf29ce484222325;
};

struct SpeedRun {
  uint64_t packets = 0;
  uint64_t cycles = 0;
  double seconds = 0;
  uint64_t digest = 0;
};

// The model's own speed in steady state: long back-to-back runs (batches of fresh frames, made
// before the clock starts), timing only the simulation.
SpeedRun simulated_cycles_per_second(const suite::SuiteProgram& sp,
                                     const jit::nic::CompileOptions& compile, bool verifier_facts,
                                     const ModelConfig& config, uint64_t packets, uint64_t batch) {
  const ebpf::ElfObject object = ebpf::load_elf_file(sp.object);
  const ebpf::Program& program =
      sp.program.empty() ? object.programs.at(0) : object.find_program(sp.program);
  traffic::TrafficSpec spec = traffic::parse_traffic_spec(sp.traffic);
  spec.packets = 64;
  const std::vector<traffic::Packet> traffic = traffic::generate_traffic(spec);
  const firmware::Image image = compile_program(object, program, compile, verifier_facts).image;
  ebpf::Runtime runtime(object);
  sp.populate(runtime, traffic);
  NicSystem system(image, runtime, config);
  // Batches of `batch` frames (1024 by default), rebuilt in place before each batch (outside
  // the timed region): the frames' memory stays in the host's caches, so the time is the
  // model's, not the misses of a fresh 40 MB of frames per batch.
  std::vector<std::optional<ebpf::XdpFrame>> frames(batch);
  std::vector<PacketJob> jobs(batch);
  std::vector<PacketOutcome> outcomes(batch);
  SpeedRun run;
  OutcomeDigest digest;
  for (uint64_t done = 0; done < packets; done += batch) {
    for (uint64_t i = 0; i < batch; ++i) {
      const auto& p = traffic[(done + i) % traffic.size()];
      frames[i].reset();
      frames[i].emplace(p.bytes, p.ingress_ifindex, p.rx_queue_index);
      jobs[i] = PacketJob{};
      jobs[i].frame = &*frames[i];
      jobs[i].outcome = &outcomes[i];
      system.submit(&jobs[i]);
    }
    const double t0 = thread_seconds();
    system.run_until_idle();
    run.seconds += thread_seconds() - t0;
    for (uint64_t i = 0; i < batch; ++i)
      digest.add(outcomes[i], *frames[i]);
    run.packets += batch;
  }
  run.cycles = system.cycle();
  run.digest = digest.value();
  return run;
}

// The fastest of `repeat` runs (the host's other load only ever slows a run down), with the
// simulated cycles per packet and the outcome digest, which every run must agree on.
std::string speed_line(const suite::SuiteProgram& sp, const jit::nic::CompileOptions& compile,
                       bool verifier_facts, const ModelConfig& config, const Options& options,
                       double* best_speed = nullptr) {
  SpeedRun last;
  double speed = 0;
  for (uint32_t r = 0; r < std::max<uint32_t>(options.speed_repeat, 1); ++r) {
    const SpeedRun run = simulated_cycles_per_second(sp, compile, verifier_facts, config,
                                                     options.speed_packets, options.speed_batch);
    if (r > 0 && run.digest != last.digest)
      throw Error(
          fmt::format("{}: the model's outcomes differ between two identical runs", sp.name));
    const double s = static_cast<double>(run.cycles) / run.seconds;
    if (s > speed) speed = s;
    last = run;
  }
  if (best_speed) *best_speed = speed;
  return fmt::format("  {}: {} M cycles/s ({:.2f} cycles/packet, outcome digest {:016x})\n",
                     sp.name, fixed(speed / 1e6, 1),
                     static_cast<double>(last.cycles) / static_cast<double>(last.packets),
                     last.digest);
}

// Records the bundle addresses one packet issues.
class PathRecorder : public RetireObserver {
 public:
  void on_retire(const BundleRetire& retire) override { path.push_back(retire.address); }
  std::vector<uint16_t> path;
};

// --disasm / --trace: the image and the paths the first packets take through it.
void inspect(const suite::SuiteProgram& sp, const jit::nic::CompileOptions& compile,
             bool verifier_facts, const ModelConfig& config, bool disasm, uint64_t packets) {
  const ebpf::ElfObject object = ebpf::load_elf_file(sp.object);
  const ebpf::Program& program =
      sp.program.empty() ? object.programs.at(0) : object.find_program(sp.program);
  const jit::nic::CompileResult compiled =
      compile_program(object, program, compile, verifier_facts);
  if (disasm) {
    fmt::print("{}\n{}\n", jit::nic::format_report(compiled.report),
               jit::nic::disassemble_image(compiled.image));
  }
  if (packets == 0) return;
  traffic::TrafficSpec spec = traffic::parse_traffic_spec(sp.traffic);
  spec.packets = packets;
  const std::vector<traffic::Packet> traffic = traffic::generate_traffic(spec);
  ebpf::Runtime runtime(object);
  sp.populate(runtime, traffic);
  ModelEngine engine(compiled.image, runtime, config);
  PathRecorder recorder;
  engine.system().set_observer(&recorder);
  for (const traffic::Packet& p : traffic) {
    ebpf::XdpFrame frame(p.bytes, p.ingress_ifindex, p.rx_queue_index);
    recorder.path.clear();
    const ebpf::ExecutionResult result = engine.run_xdp(frame);
    const auto& stats = engine.last_outcome().stats;
    std::string path;
    for (uint16_t a : recorder.path)
      path += fmt::format(" {}", a);
    fmt::print("{}: r0 {} cycles {} bundles {} path{}\n", sp.name, result.return_value,
               stats.cycles(), stats.bundles, path);
  }
}

constexpr std::string_view kUsage = R"(usage: nicsim-nic-offload [options]

The offload numbers of bench/RESULTS.md: every program of the suite compiled for the NIC and run
on the model (one core, 64-byte frames back to back), then each compiler pass switched off, then
the model's own speed in simulated cycles per second.

  --clock F            core clock, e.g. 156.25MHz (default 156.25MHz)
  --lanes L            lanes per bundle, 1..8 (default 4)
  --contexts K         contexts per core (default 4)
  --packets N          packets per program (default 512)
  --program NAME       only this program of the suite
  --json FILE          also write the figures as JSON
  --no-passes-table    skip the table with each compiler pass switched off
  --local-facts        compile with the compiler's own analysis, not the verifier's facts
  --disasm             print the selected programs' images
  --trace N            print the bundle addresses the first N packets issue
  --only-speed         only measure the model's speed
  --speed-packets N    packets per speed run (default 100000)
  --speed-repeat R     speed runs; the best is printed with an outcome digest (default 1)
  --speed-batch B      frames queued at a time in a speed run (default 1024)
)";

int run(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw Error(fmt::format("{} needs a value", arg));
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") {
      fmt::print("{}", kUsage);
      return 0;
    }
    if (arg == "--clock")
      options.clock = parse_clock(value());
    else if (arg == "--lanes")
      options.lanes = static_cast<uint8_t>(std::stoi(value()));
    else if (arg == "--contexts")
      options.contexts = static_cast<uint32_t>(std::stoi(value()));
    else if (arg == "--packets")
      options.packets = std::stoull(value());
    else if (arg == "--program")
      options.program = value();
    else if (arg == "--json")
      options.json = value();
    else if (arg == "--no-passes-table")
      options.passes_table = false;
    else if (arg == "--local-facts")
      options.verifier_facts = false;
    else if (arg == "--disasm")
      options.disasm = true;
    else if (arg == "--trace")
      options.trace = std::stoull(value());
    else if (arg == "--speed-packets")
      options.speed_packets = std::stoull(value());
    else if (arg == "--speed-batch")
      options.speed_batch = std::max<uint64_t>(1, std::stoull(value()));
    else if (arg == "--speed-repeat")
      options.speed_repeat = static_cast<uint32_t>(std::stoul(value()));
    else if (arg == "--only-speed")
      options.only_speed = true;
    else
      throw Error(fmt::format("unknown option '{}'", arg));
  }
  ModelConfig config;
  config.clock_hz = options.clock;
  config.contexts = options.contexts;
  jit::nic::CompileOptions compile;
  compile.lanes = options.lanes;
  compile.memory_ports = std::min<uint8_t>(2, options.lanes);

  const auto programs = suite::suite_programs(
      std::string(NICSIM_TESTDATA_DIR) + "/ebpf-samples/linux", NICSIM_PROGRAMS_DIR);
  if (options.disasm || options.trace > 0) {
    for (const auto& sp : programs) {
      if (options.program.empty() || sp.name == options.program)
        inspect(sp, compile, options.verifier_facts, config, options.disasm, options.trace);
    }
    return 0;
  }
  if (options.only_speed) {
    fmt::print("model speed in steady state ({} packets each, single thread, CPU time):\n",
               options.speed_packets);
    for (const auto& sp : programs) {
      if (!options.program.empty() && sp.name != options.program) continue;
      fmt::print("{}", speed_line(sp, compile, options.verifier_facts, config, options));
    }
    return 0;
  }
  nlohmann::json json;
  json["clock_hz"] = options.clock;
  json["lanes"] = options.lanes;
  json["contexts"] = options.contexts;
#ifndef NICSIM_HAVE_VERIFIER
  options.verifier_facts = false;
#endif
  json["facts"] = options.verifier_facts ? "verifier" : "local analysis";
  fmt::print(
      "NIC offload, {} lanes, {} contexts, 1 core, {} B/cycle dispatch, clock {} MHz, "
      "{} packets back to back, facts from the {}\n\n",
      options.lanes, options.contexts, config.dispatch_bytes_per_cycle, fixed(options.clock / 1e6),
      options.packets, options.verifier_facts ? "verifier" : "local analysis");
  fmt::print(
      "| program | eBPF insns | bundles | hXDP ROM bundles | latency (cycles) | cycles/pkt | "
      "Mpps | hXDP Mpps | hXDP cycles/pkt | vs hXDP | IPC | stalls/pkt helper/unit/data/"
      "branch/fetch/issue |\n");
  fmt::print("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  uint64_t total_cycles = 0;
  double total_seconds = 0;
  std::vector<const suite::SuiteProgram*> selected;
  for (const auto& sp : programs) {
    if (!options.program.empty() && sp.name != options.program) continue;
    selected.push_back(&sp);
    const Measurement m = measure(sp, compile, options.verifier_facts, config, options.packets);
    total_cycles += m.simulated_cycles;
    total_seconds += m.seconds;
    const double mpps = options.clock / m.cycles_per_packet / 1e6;
    std::string hxdp_bundles = "-", hxdp_mpps = "-", hxdp_cycles = "-", ratio = "-";
    if (sp.hxdp) {
      if (sp.hxdp->rom_bundles) hxdp_bundles = std::to_string(sp.hxdp->rom_bundles);
      if (sp.hxdp->mpps > 0) {
        hxdp_mpps = fixed(sp.hxdp->mpps);
        hxdp_cycles = fixed(sp.hxdp->cycles_per_packet, 1);
        ratio = fixed(m.cycles_per_packet / sp.hxdp->cycles_per_packet) + "x cycles";
      }
    }
    fmt::print("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", sp.name,
               m.ebpf_instructions, m.bundles, hxdp_bundles, fixed(m.latency, 1),
               fixed(m.cycles_per_packet), fixed(mpps), hxdp_mpps, hxdp_cycles, ratio, fixed(m.ipc),
               fmt::format("{}/{}/{}/{}/{}/{}", fixed(m.stalls[0], 1), fixed(m.stalls[1], 1),
                           fixed(m.stalls[2], 1), fixed(m.stalls[3], 1), fixed(m.stalls[4], 1),
                           fixed(m.stalls[5], 1)));
    nlohmann::json row;
    row["ebpf_instructions"] = m.ebpf_instructions;
    row["bundles"] = m.bundles;
    row["latency_cycles"] = m.latency;
    row["run_cycles"] = m.run_cycles;
    row["cycles_per_packet"] = m.cycles_per_packet;
    row["mpps"] = mpps;
    row["ipc"] = m.ipc;
    for (int c = 0; c < kNumStallCauses; ++c)
      row["stalls_per_packet"][std::string(stall_cause_name(static_cast<StallCause>(c)))] =
          m.stalls[c];
    for (size_t a = 0; a < ebpf::kNumXdpActions; ++a)
      row["actions"][std::string(ebpf::xdp_action_name(static_cast<ebpf::XdpAction>(a)))] =
          m.actions[a];
    json["programs"][sp.name] = row;
  }
  fmt::print("\nmodel speed over the runs above: {} simulated cycles in {} s = {} M cycles/s\n",
             total_cycles, fixed(total_seconds, 3), fixed(total_cycles / total_seconds / 1e6, 1));
  json["model_cycles_per_second_short_runs"] = total_cycles / total_seconds;
  fmt::print("model speed in steady state ({} packets each, single thread, CPU time):\n",
             options.speed_packets);
  for (const suite::SuiteProgram* sp : selected) {
    double speed = 0;
    fmt::print("{}", speed_line(*sp, compile, options.verifier_facts, config, options, &speed));
    json["model_cycles_per_second"][sp->name] = speed;
  }

  if (options.passes_table) {
    fmt::print(
        "\nEach pass switched off (bundles / cycles per packet):\n\n| program | all passes |");
    for (jit::nic::Pass pass : jit::nic::all_passes())
      fmt::print(" no {} |", jit::nic::pass_name(pass));
    fmt::print(" no pass |\n|---|---|");
    for (size_t i = 0; i <= jit::nic::all_passes().size(); ++i)
      fmt::print("---|");
    fmt::print("\n");
    for (const suite::SuiteProgram* sp : selected) {
      const auto cell = [&](const jit::nic::CompileOptions& o, const std::string& key) {
        const Measurement m = measure(*sp, o, options.verifier_facts, config,
                                      std::min<uint64_t>(options.packets, 256));
        json["passes"][sp->name][key] = {{"bundles", m.bundles},
                                         {"cycles_per_packet", m.cycles_per_packet}};
        return fmt::format("{} / {}", m.bundles, fixed(m.cycles_per_packet));
      };
      fmt::print("| {} | {} |", sp->name, cell(compile, "all"));
      for (jit::nic::Pass pass : jit::nic::all_passes()) {
        jit::nic::CompileOptions o = compile;
        o.set_enabled(pass, false);
        fmt::print(" {} |", cell(o, "no-" + std::string(jit::nic::pass_name(pass))));
      }
      jit::nic::CompileOptions none = jit::nic::CompileOptions::unoptimised();
      none.lanes = compile.lanes;
      none.memory_ports = compile.memory_ports;
      fmt::print(" {} |\n", cell(none, "none"));
    }
  }
  if (!options.json.empty()) {
    std::ofstream out(options.json);
    out << json.dump(1) << "\n";
  }
  return 0;
}

}  // namespace
}  // namespace nicsim::model

int main(int argc, char** argv) {
  try {
    return nicsim::model::run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "nicsim-nic-offload: " << e.what() << "\n";
    return 1;
  }
}
