// nicsim sim: a program offloaded to the simulated NIC — compiled for the NIC core, run on
// the SystemC model (or the Verilated RTL) with traffic back to back; cycles per packet, Mpps
// at the clock, IPC and the stall breakdown.

#include <fmt/format.h>

#include <fstream>
#include <optional>

#include "ebpf/runtime/map_json.h"
#include "ebpf/util/error.h"
#include "model/config.h"
#include "model/engine/model_engine.h"
#include "testbench/session/nic_session.h"
#include "testbench/traffic/generator.h"
#include "testbench/traffic/pcap_reader.h"
#include "testbench/traffic/pcap_writer.h"
#include "testbench/traffic/traffic_spec.h"
#include "tools/nicsim/cli_common.h"
#include "tools/nicsim/command.h"
#include "tools/nicsim/json_output.h"
#include "tools/nicsim/nic_build.h"
#include "tools/nicsim/nic_engines.h"

namespace nicsim::cli {

namespace {

void print_nic_summary(const nlohmann::json& s, const testbench::NicRunStats& stats) {
  fmt::print("nicsim sim: {} ({}) on the NIC {} — {} lanes, {} contexts, {:.2f} MHz\n",
             s["object"].get<std::string>(), s["program"].get<std::string>(),
             s["engine"].get<std::string>(), s["lanes"].get<int>(), s["contexts"].get<int>(),
             s["clock_hz"].get<double>() / 1e6);
  fmt::print("  input: {}\n", s["input"].get<std::string>());
  fmt::print("  image: {} bundles ({} eBPF instructions)\n", s["bundles"].get<size_t>(),
             s["ebpf_instructions"].get<size_t>());
  fmt::print("  packets: {}", stats.packets.packets);
  for (uint32_t a = 0; a < ebpf::kNumXdpActions; ++a) {
    const auto action = static_cast<ebpf::XdpAction>(a);
    fmt::print("  {} {}", ebpf::xdp_action_name(action), stats.packets.count(action));
  }
  fmt::print("\n");
  fmt::print("  throughput: {:.2f} cycles/packet = {:.2f} Mpps at {:.2f} MHz\n",
             s["cycles_per_packet"].get<double>(), s["mpps"].get<double>(),
             s["clock_hz"].get<double>() / 1e6);
  fmt::print(
      "  per packet: {:.2f} cycles running, {:.2f} cycles latency, {:.2f} bundles, "
      "{:.2f} eBPF instructions\n",
      s["mean_packet_cycles"].get<double>(), s["mean_latency_cycles"].get<double>(),
      s["bundles_per_packet"].get<double>(), s["instructions_per_packet"].get<double>());
  fmt::print("  IPC: {:.2f} eBPF instructions per cycle\n", s["ipc"].get<double>());
  fmt::print("  stall cycles per packet:");
  for (const auto& [cause, cycles] : s["stall_cycles_per_packet"].items())
    fmt::print(" {} {:.2f}", cause, cycles.get<double>());
  fmt::print("\n");
  for (const auto& [index, reason] : stats.packets.first_aborts)
    fmt::print("  aborted packet {}: {}\n", index, reason);
}

}  // namespace

int sim_main(const std::vector<std::string>& args) {
  std::string object_path, section, in, gen, out, json, maps, engine_name, clock;
  unsigned contexts = 4, cores = 1;
  po::options_description options("options");
  options.add_options()("object", po::value(&object_path)->required(), "BPF object file")(
      "section,s", po::value(&section)->default_value(""), "program (default: the only XDP one)")(
      "engine,e", po::value(&engine_name)->default_value("model"), nic_engine_help().c_str())(
      "in,i", po::value(&in)->default_value(""), "input pcap")(
      "gen,g", po::value(&gen)->default_value(""), "generated traffic (see nicsim gen --help)")(
      "out,o", po::value(&out)->default_value(""), "write passed and transmitted packets (pcap)")(
      "json", po::value(&json)->default_value(""), "write the results as JSON ('-': stdout)")(
      "maps", po::value(&maps)->default_value(""),
      "map contents JSON (default: <object>.maps.json beside the object)")(
      "clock", po::value(&clock)->default_value("156.25MHz"), "NIC clock (hXDP ran at 156.25MHz)")(
      "contexts,K", po::value(&contexts)->default_value(4), "hardware contexts per core")(
      "cores,N", po::value(&cores)->default_value(1), "cores");
  add_nic_compile_options(options);
  add_nic_engine_options(options);
  po::positional_options_description positional;
  positional.add("object", 1);
  po::variables_map values;
  if (!parse_command_line(args,
                          "usage: nicsim sim prog.o --engine model|rtl (--in in.pcap | --gen SPEC) "
                          "[--clock 156.25MHz] [--lanes 4] [--out out.pcap] [--json -]",
                          options, positional, values))
    return kExitOk;
  if (in.empty() && gen.empty()) throw Error("no traffic: give --in in.pcap or --gen SPEC");
  if (!in.empty() && !gen.empty()) throw Error("give either --in or --gen, not both");

  const LoadedProgram loaded = load_program(object_path, section, /*want_xdp=*/true);
  const jit::nic::CompileResult compiled = build_nic_image(loaded, nic_compile_options(values));
  model::ModelConfig config;
  config.clock_hz = model::parse_clock(clock);
  config.contexts = contexts;
  config.cores = cores;
  model::validate_config(config);

  ebpf::Runtime runtime(loaded.object);
  if (maps.empty()) maps = default_maps_file(object_path).value_or("");
  if (!maps.empty()) ebpf::load_map_contents(runtime, read_json_file(maps), maps);
  const std::vector<traffic::Packet> packets =
      in.empty() ? traffic::generate_traffic(traffic::parse_traffic_spec(gen))
                 : traffic::read_pcap(in);
  if (packets.empty()) throw Error("the traffic holds no packet");

  NicEngineSetup setup = make_nic_engine(engine_name, compiled.image, runtime, config, values);
  std::optional<traffic::PcapWriter> writer;
  if (!out.empty()) writer.emplace(out);
  const testbench::NicRunStats stats =
      testbench::run_nic_traffic(setup.runner, runtime, packets,
                                 [&](uint64_t, const traffic::Packet&, const model::PacketOutcome&,
                                     const testbench::PacketResult& result) {
                                   if (writer && (result.action == ebpf::XdpAction::Pass ||
                                                  result.action == ebpf::XdpAction::Tx))
                                     writer->write(result.output);
                                 });
  setup.finish();
  if (writer) writer->close();

  nlohmann::json summary = testbench::to_json(stats, config.clock_hz);
  summary["object"] = object_path;
  summary["program"] = loaded.program().display_name();
  summary["engine"] = engine_name;
  summary["input"] = in.empty() ? gen : in;
  summary["lanes"] = compiled.image.lanes;
  summary["contexts"] = contexts;
  summary["bundles"] = compiled.image.program_bundles;
  summary["ebpf_instructions"] = loaded.program().insns.size();
  for (const auto& [key, value] : setup.extra.items())
    summary[key] = value;
  if (json == "-") {
    fmt::print("{}\n", summary.dump(2));
  } else {
    if (!json.empty()) write_json_file(json, summary);
    print_nic_summary(summary, stats);
    for (const auto& line : setup.notes)
      fmt::print("  {}\n", line);
  }
  return kExitOk;
}

}  // namespace nicsim::cli
