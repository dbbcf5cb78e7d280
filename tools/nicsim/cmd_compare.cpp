// nicsim compare: the offload comparison — the same program and traffic on every engine that
// nicsim has, outputs checked against the interpreter, performance side by side.

#include <fmt/format.h>

#include <chrono>
#include <memory>

#include "ebpf/runtime/map_json.h"
#include "ebpf/runtime/runtime.h"
#include "ebpf/util/error.h"
#include "testbench/session/xdp_session.h"
#include "testbench/traffic/generator.h"
#include "testbench/traffic/pcap_reader.h"
#include "testbench/traffic/traffic_spec.h"
#include "tools/nicsim/cli_common.h"
#include "tools/nicsim/command.h"
#include "tools/nicsim/engine_choice.h"
#include "tools/nicsim/json_output.h"

namespace nicsim::cli {

namespace {

constexpr const char* kDefaultProgram = "xdp_firewall";
constexpr const char* kDefaultTraffic = "ip=4,proto=mix,flows=64,packets=20000,size=64,seed=1";

struct EngineRun {
  std::string engine;
  testbench::RunStats stats;
  double wall_seconds = 0;
  uint64_t mismatches = 0;  // packets whose action or bytes differ from the interpreter's
};

EngineRun run_engine(const std::string& backend, const LoadedProgram& loaded,
                     const std::string& maps, const std::vector<traffic::Packet>& packets,
                     std::vector<testbench::PacketResult>* reference) {
  ebpf::Runtime runtime(loaded.object);
  if (!maps.empty()) ebpf::load_map_contents(runtime, read_json_file(maps), maps);
  auto engine = make_engine(backend, loaded.object, loaded.program(), runtime, EngineOptions{});
  testbench::XdpSession session(*engine, runtime);
  EngineRun run{std::string(engine->name()), {}, 0, 0};
  const auto started = std::chrono::steady_clock::now();
  for (size_t i = 0; i < packets.size(); ++i) {
    testbench::PacketResult result = session.process(packets[i]);
    if (reference->size() < packets.size()) {
      reference->push_back(std::move(result));
    } else if (result.action != (*reference)[i].action ||
               result.output.bytes != (*reference)[i].output.bytes) {
      ++run.mismatches;
    }
  }
  run.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  run.stats = session.stats();
  return run;
}

}  // namespace

int compare_main(const std::vector<std::string>& args) {
  std::string object_path, section, in, gen, maps, json;
  po::options_description options("options");
  options.add_options()
      ("object", po::value(&object_path)->default_value(""),
       "BPF object (default: the bundled xdp_firewall)")
      ("section,s", po::value(&section)->default_value(""), "program (default: the only XDP one)")
      ("in,i", po::value(&in)->default_value(""), "input pcap")
      ("gen,g", po::value(&gen)->default_value(""),
       fmt::format("generated traffic (default: '{}')", kDefaultTraffic).c_str())
      ("maps", po::value(&maps)->default_value(""),
       "map contents JSON (default: <object>.maps.json when present)")
      ("json", po::value(&json)->default_value(""), "write the comparison as JSON ('-': stdout)");
  po::positional_options_description positional;
  positional.add("object", 1);
  po::variables_map values;
  if (!parse_command_line(args, "usage: nicsim compare [prog.o] [--in in.pcap | --gen SPEC]",
                          options, positional, values))
    return kExitOk;
  if (object_path.empty()) object_path = bundled_program(kDefaultProgram);
  if (in.empty() && gen.empty()) gen = kDefaultTraffic;
  if (maps.empty()) maps = default_maps_file(object_path).value_or("");

  const LoadedProgram loaded = load_program(object_path, section, /*want_xdp=*/true);
  std::vector<traffic::Packet> packets =
      in.empty() ? traffic::generate_traffic(traffic::parse_traffic_spec(gen))
                 : traffic::read_pcap(in);

  std::vector<testbench::PacketResult> reference;
  std::vector<EngineRun> runs;
  for (const std::string& backend : {std::string("interp")})
    runs.push_back(run_engine(backend, loaded, maps, packets, &reference));

  fmt::print("nicsim compare: {} ({}), {} packets of {}\n", object_path,
             loaded.program().display_name(), packets.size(), in.empty() ? gen : in);
  fmt::print("  {:<10} {:>10} {:>10} {:>10} {:>10} {:>12} {:>10}\n", "engine", "pass", "drop", "tx",
             "redirect", "insns/pkt", "mismatch");
  nlohmann::json engines = nlohmann::json::array();
  for (const auto& run : runs) {
    const auto& s = run.stats;
    const double per_packet = s.packets ? static_cast<double>(s.instructions) / s.packets : 0;
    fmt::print("  {:<10} {:>10} {:>10} {:>10} {:>10} {:>12.1f} {:>10}\n", run.engine,
               s.count(ebpf::XdpAction::Pass), s.count(ebpf::XdpAction::Drop),
               s.count(ebpf::XdpAction::Tx), s.count(ebpf::XdpAction::Redirect), per_packet,
               run.mismatches);
    nlohmann::json entry = testbench::to_json(s);
    entry["engine"] = run.engine;
    entry["mismatches"] = run.mismatches;
    entry["wall_seconds"] = run.wall_seconds;
    engines.push_back(entry);
  }
  fmt::print(
      "  not yet built: the NIC model (cycles/packet, Mpps) and the x86_64/arm64 JITs; "
      "see docs/status.md\n");
  if (!json.empty()) {
    const nlohmann::json result = {{"object", object_path},
                                   {"program", loaded.program().display_name()},
                                   {"packets", packets.size()},
                                   {"engines", engines}};
    if (json == "-") {
      fmt::print("{}\n", result.dump(2));
    } else {
      write_json_file(json, result);
    }
  }
  for (const auto& run : runs) {
    if (run.mismatches) return kExitRejected;
  }
  return kExitOk;
}

}  // namespace nicsim::cli
