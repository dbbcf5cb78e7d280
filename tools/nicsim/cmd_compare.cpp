// nicsim compare: the offload comparison. The same program and traffic on the reference
// interpreter, the host JITs (x86_64 native, arm64 under Unicorn here) and the NIC (compiled
// for the NIC core, run on the SystemC model), every engine's outputs checked packet by packet
// against the interpreter, and performance side by side with the published hXDP core.

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <iterator>
#include <memory>
#include <sstream>

#include "ebpf/runtime/map_json.h"
#include "ebpf/runtime/runtime.h"
#include "ebpf/util/error.h"
#include "jit/arm64/a64_compiler.h"
#include "model/config.h"
#include "model/suite/program_suite.h"
#include "testbench/session/nic_session.h"
#include "testbench/session/xdp_session.h"
#include "testbench/traffic/generator.h"
#include "testbench/traffic/pcap_reader.h"
#include "testbench/traffic/traffic_spec.h"
#include "tools/nicsim/cli_common.h"
#include "tools/nicsim/command.h"
#include "tools/nicsim/engine_choice.h"
#include "tools/nicsim/json_output.h"
#include "tools/nicsim/nic_build.h"
#include "tools/nicsim/nic_engines.h"

namespace nicsim::cli {

namespace {

constexpr const char* kDefaultProgram = "xdp_firewall";
constexpr const char* kDefaultTraffic = "ip=4,proto=udp,flows=64,packets=4096,size=60,seed=1";
constexpr uint64_t kSuitePackets = 4096;
constexpr double kHxdpClockHz = 156.25e6;

// The benchmark-suite entry for `object_path` (same file), which knows the traffic and map
// contents that exercise the program and hXDP's figure for its kind of program.
std::optional<model::suite::SuiteProgram> suite_entry(const std::string& object_path) {
  const std::string samples = std::string(NICSIM_TESTDATA_DIR) + "/ebpf-samples/linux";
  std::error_code error;
  for (auto& entry : model::suite::suite_programs(samples, NICSIM_PROGRAMS_DIR)) {
    if (std::filesystem::equivalent(entry.object, object_path, error)) return entry;
  }
  return std::nullopt;
}

struct Row {
  std::string engine;
  std::string what;  // how its speed is measured
  testbench::RunStats stats;
  uint64_t mismatches = 0;       // packets whose action or bytes differ from the interpreter's
  double ns_per_packet = 0;      // host engines: wall time per packet (harness included)
  double native_per_packet = 0;  // arm64: AArch64 instructions per packet
  double cycles_per_packet = 0;  // NIC
  double mpps = 0;
  double ipc = 0;
  nlohmann::json nic;  // the NIC's full statistics
};

struct Reference {
  std::vector<ebpf::XdpAction> actions;
  std::vector<std::vector<uint8_t>> outputs;
  bool matches(size_t i, ebpf::XdpAction action, const std::vector<uint8_t>& bytes) const {
    return actions[i] == action && outputs[i] == bytes;
  }
};

// Map contents: the --maps file, else what the suite fills in for this program.
struct MapSetup {
  std::string file;
  std::optional<model::suite::SuiteProgram> suite;
  const std::vector<traffic::Packet>* packets = nullptr;
};

void load_maps(ebpf::Runtime& runtime, const MapSetup& maps) {
  if (!maps.file.empty()) {
    ebpf::load_map_contents(runtime, read_json_file(maps.file), maps.file);
  } else if (maps.suite && maps.suite->populate) {
    maps.suite->populate(runtime, *maps.packets);
  }
}

// Nanoseconds per packet of the engine alone, as BPF_PROG_TEST_RUN times a program: frames are
// built before the clock starts, so packet copies and result bookkeeping are not counted. The
// best of three passes, since this machine is shared and its other load only ever adds time.
double time_engine(ebpf::Engine& engine, const std::vector<traffic::Packet>& packets) {
  constexpr int kPasses = 3;
  double best = 0;
  for (int pass = 0; pass < kPasses; ++pass) {
    std::vector<std::unique_ptr<ebpf::XdpFrame>> frames;
    frames.reserve(packets.size());
    for (const auto& packet : packets)
      frames.push_back(std::make_unique<ebpf::XdpFrame>(packet.bytes, packet.ingress_ifindex,
                                                        packet.rx_queue_index));
    const auto started = std::chrono::steady_clock::now();
    for (auto& frame : frames)
      engine.run_xdp(*frame);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const double ns = seconds * 1e9 / static_cast<double>(packets.size());
    if (pass == 0 || ns < best) best = ns;
  }
  return best;
}

Row run_host(const std::string& backend, const LoadedProgram& loaded, const MapSetup& maps,
             const std::vector<traffic::Packet>& packets, Reference* reference) {
  ebpf::Runtime runtime(loaded.object);
  load_maps(runtime, maps);
  auto engine = make_engine(backend, loaded.object, loaded.program(), runtime, EngineOptions{});
  testbench::XdpSession session(*engine, runtime);
  Row row;
  row.engine = std::string(engine->name());
  const bool record = reference->actions.empty();
  for (size_t i = 0; i < packets.size(); ++i) {
    testbench::PacketResult result = session.process(packets[i]);
    if (record) {
      reference->actions.push_back(result.action);
      reference->outputs.push_back(std::move(result.output.bytes));
    } else if (!reference->matches(i, result.action, result.output.bytes)) {
      ++row.mismatches;
    }
  }
  row.stats = session.stats();
  if (auto* jit_engine = dynamic_cast<jit::JitEngine*>(engine.get())) {
    if (const auto* arm64 = jit::arm64_backend_of(*jit_engine); arm64 && arm64->runs() > 0) {
      row.native_per_packet =
          static_cast<double>(arm64->total_instructions()) / static_cast<double>(arm64->runs());
      row.what = "AArch64 insns/pkt (emulated)";
      return row;
    }
  }
  // Emulated arm64 returned above: its time would measure Unicorn, not an arm64 core.
  row.ns_per_packet = time_engine(*engine, packets);
  row.mpps = 1e3 / row.ns_per_packet;
  row.what = backend == "interp" ? "reference" : "host ns/pkt (harness incl.)";
  return row;
}

Row run_nic(const LoadedProgram& loaded, const MapSetup& maps,
            const std::vector<traffic::Packet>& packets, const Reference& reference,
            double clock_hz, const po::variables_map& values) {
  const jit::nic::CompileResult compiled = build_nic_image(loaded, nic_compile_options(values));
  model::ModelConfig config;
  config.clock_hz = clock_hz;
  ebpf::Runtime runtime(loaded.object);
  load_maps(runtime, maps);
  NicEngineSetup setup = make_nic_engine("model", compiled.image, runtime, config, values);
  Row row;
  row.engine = "nic-model";
  row.what = fmt::format("NIC @ {:.2f} MHz, {} bundles of {} lanes", clock_hz / 1e6,
                         compiled.image.program_bundles, compiled.image.lanes);
  const testbench::NicRunStats stats = testbench::run_nic_traffic(
      setup.runner, runtime, packets,
      [&](uint64_t index, const traffic::Packet&, const model::PacketOutcome&,
          const testbench::PacketResult& result) {
        if (!reference.matches(index, result.action, result.output.bytes)) ++row.mismatches;
      });
  row.stats = stats.packets;
  row.cycles_per_packet = stats.cycles_per_packet();
  row.mpps = stats.mpps(clock_hz);
  row.ipc = stats.ipc();
  row.nic = testbench::to_json(stats, clock_hz);
  row.nic["bundles"] = compiled.image.program_bundles;
  return row;
}

}  // namespace

int compare_main(const std::vector<std::string>& args) {
  std::string object_path, section, in, gen, maps, json, clock;
  po::options_description options("options");
  options.add_options()("object", po::value(&object_path)->default_value(""),
                        "BPF object (default: the bundled xdp_firewall)")(
      "section,s", po::value(&section)->default_value(""), "program (default: the only XDP one)")(
      "in,i", po::value(&in)->default_value(""), "input pcap")(
      "gen,g", po::value(&gen)->default_value(""),
      fmt::format("generated traffic (default: '{}')", kDefaultTraffic).c_str())(
      "maps", po::value(&maps)->default_value(""),
      "map contents JSON (default: <object>.maps.json when present)")(
      "clock", po::value(&clock)->default_value("156.25MHz"),
      "NIC clock (default: hXDP's, for a like-for-like comparison)")(
      "no-arm64", "skip the arm64 JIT (slow under emulation)")(
      "json", po::value(&json)->default_value(""), "write the comparison as JSON ('-': stdout)");
  add_nic_compile_options(options);
  po::positional_options_description positional;
  positional.add("object", 1);
  po::variables_map values;
  if (!parse_command_line(args, "usage: nicsim compare [prog.o] [--in in.pcap | --gen SPEC]",
                          options, positional, values))
    return kExitOk;
  if (object_path.empty()) object_path = bundled_program(kDefaultProgram);
  const auto suite = suite_entry(object_path);
  if (in.empty() && gen.empty()) {
    if (suite) {
      // The suite's traffic with more packets, kept in its short written form.
      std::string item;
      std::istringstream items(suite->traffic);
      while (std::getline(items, item, ',')) {
        if (!item.starts_with("packets=")) gen += item + ",";
      }
      gen += fmt::format("packets={}", kSuitePackets);
    } else {
      gen = kDefaultTraffic;
    }
  }
  if (maps.empty() && !suite) maps = default_maps_file(object_path).value_or("");
  const double clock_hz = model::parse_clock(clock);

  const LoadedProgram loaded =
      load_program(object_path, section.empty() && suite ? suite->program : section, true);
  const std::vector<traffic::Packet> packets =
      in.empty() ? traffic::generate_traffic(traffic::parse_traffic_spec(gen))
                 : traffic::read_pcap(in);
  if (packets.empty()) throw Error("the traffic holds no packet");
  const MapSetup map_setup{maps, maps.empty() ? suite : std::nullopt, &packets};

  Reference reference;
  std::vector<Row> rows;
  std::vector<std::string> failures;
  rows.push_back(run_host("interp", loaded, map_setup, packets, &reference));
  std::vector<std::string> hosts = {"x86_64"};
  if (!values.count("no-arm64")) hosts.push_back("arm64");
  for (const auto& backend : hosts) {
    try {
      rows.push_back(run_host(backend, loaded, map_setup, packets, &reference));
    } catch (const Error& e) {
      failures.push_back(fmt::format("{}: {}", backend, e.what()));
    }
  }
  try {
    rows.push_back(run_nic(loaded, map_setup, packets, reference, clock_hz, values));
  } catch (const Error& e) {
    failures.push_back(fmt::format("nic: {}", e.what()));
  }

  std::optional<model::suite::HxdpReference> hxdp;
  if (suite && suite->hxdp && suite->hxdp->cycles_per_packet > 0) hxdp = suite->hxdp;
  // With --json - the table would corrupt the JSON on stdout, so it is built aside first.
  std::string table;
  fmt::format_to(std::back_inserter(table), "nicsim compare: {} ({}), {} packets of {}\n\n",
                 object_path, loaded.program().display_name(), packets.size(),
                 in.empty() ? gen : in);
  fmt::format_to(std::back_inserter(table),
                 "  {:<18} {:>7} {:>7} {:>7} {:>7} {:>9} {:>9}  {:>10} {:>8}  {}\n", "engine",
                 "pass", "drop", "tx", "redir", "insns/pkt", "mismatch", "cycles/pkt", "Mpps",
                 "measured as");
  nlohmann::json engines = nlohmann::json::array();
  for (const auto& row : rows) {
    const auto& s = row.stats;
    const double insns = s.packets ? static_cast<double>(s.instructions) / s.packets : 0;
    const bool reference_row = row.engine == "interp";
    const std::string cycles = fmt::format(
        "{}", row.cycles_per_packet > 0 ? fmt::format("{:.2f}", row.cycles_per_packet) : "-");
    const std::string mpps =
        fmt::format("{}", row.mpps > 0 && !reference_row ? fmt::format("{:.2f}", row.mpps) : "-");
    std::string what = row.what;
    if (row.native_per_packet > 0) {
      what = fmt::format("{:.1f} AArch64 insns/pkt (emulated)", row.native_per_packet);
    } else if (row.ns_per_packet > 0 && !reference_row) {
      what = fmt::format("host, {:.0f} ns/pkt (engine only, best of 3)", row.ns_per_packet);
    }
    fmt::format_to(std::back_inserter(table),
                   "  {:<18} {:>7} {:>7} {:>7} {:>7} {:>9.1f} {:>9}  {:>10} {:>8}  {}\n",
                   row.engine, s.count(ebpf::XdpAction::Pass), s.count(ebpf::XdpAction::Drop),
                   s.count(ebpf::XdpAction::Tx), s.count(ebpf::XdpAction::Redirect), insns,
                   row.mismatches, cycles, mpps, what);
    nlohmann::json entry = testbench::to_json(s);
    entry["engine"] = row.engine;
    entry["mismatches"] = row.mismatches;
    if (row.ns_per_packet > 0) entry["host_ns_per_packet"] = row.ns_per_packet;
    if (row.native_per_packet > 0) entry["aarch64_instructions_per_packet"] = row.native_per_packet;
    if (!row.nic.is_null()) entry["nic"] = row.nic;
    engines.push_back(entry);
  }
  nlohmann::json hxdp_json = nullptr;
  if (hxdp) {
    fmt::format_to(std::back_inserter(table),
                   "  {:<18} {:>57} {:>10.2f} {:>8.2f}  published, {:.2f} MHz ({})\n",
                   "hXDP (OSDI'20)", "", hxdp->cycles_per_packet, hxdp->mpps, kHxdpClockHz / 1e6,
                   suite->name);
    hxdp_json = {{"program", suite->name},
                 {"mpps", hxdp->mpps},
                 {"cycles_per_packet", hxdp->cycles_per_packet}};
    for (const auto& row : rows) {
      if (row.cycles_per_packet > 0)
        fmt::format_to(
            std::back_inserter(table),
            "\n  NIC vs hXDP: {:.2f}x the cycles per packet ({:.2f}x the Mpps at the same "
            "clock)\n",
            row.cycles_per_packet / hxdp->cycles_per_packet,
            hxdp->cycles_per_packet / row.cycles_per_packet);
    }
  }
  for (const auto& failure : failures)
    fmt::format_to(std::back_inserter(table), "  not run: {}\n", failure);
  if (json != "-") fmt::print("{}", table);
  if (!json.empty()) {
    const nlohmann::json result = {
        {"object", object_path},     {"program", loaded.program().display_name()},
        {"packets", packets.size()}, {"nic_clock_hz", clock_hz},
        {"engines", engines},        {"hxdp", hxdp_json},
        {"not_run", failures}};
    if (json == "-") {
      fmt::print("{}\n", result.dump(2));
    } else {
      write_json_file(json, result);
    }
  }
  for (const auto& row : rows) {
    if (row.mismatches) return kExitRejected;
  }
  return kExitOk;
}

}  // namespace nicsim::cli
