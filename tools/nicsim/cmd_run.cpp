// nicsim run: every packet of a pcap (or of generated traffic) through an XDP program.

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <optional>

#include "ebpf/interp/interpreter.h"
#include "ebpf/runtime/map_json.h"
#include "ebpf/runtime/runtime.h"
#include "ebpf/util/error.h"
#include "jit/arm64/a64_compiler.h"
#include "testbench/session/xdp_session.h"
#include "testbench/traffic/generator.h"
#include "testbench/traffic/pcap_reader.h"
#include "testbench/traffic/pcap_writer.h"
#include "testbench/traffic/traffic_spec.h"
#include "tools/nicsim/cli_common.h"
#include "tools/nicsim/command.h"
#include "tools/nicsim/engine_choice.h"
#include "tools/nicsim/json_output.h"

namespace nicsim::cli {

namespace {

// Packets from a pcap or from the generator, one at a time.
class PacketSource {
 public:
  PacketSource(const std::string& pcap, const std::string& spec) {
    if (!pcap.empty() && !spec.empty()) throw Error("give either --in or --gen, not both");
    if (!pcap.empty()) {
      reader_.emplace(pcap);
      description_ = pcap;
    } else {
      const auto parsed = traffic::parse_traffic_spec(spec);
      generator_.emplace(parsed);
      description_ = "generated traffic (" + traffic::format_traffic_spec(parsed) + ")";
    }
  }
  std::optional<traffic::Packet> next() {
    if (reader_) return reader_->next();
    if (generator_->done()) return std::nullopt;
    return generator_->next();
  }
  const std::string& description() const { return description_; }

 private:
  std::optional<traffic::PcapReader> reader_;
  std::optional<traffic::TrafficGenerator> generator_;
  std::string description_;
};

void write_verdict_header(std::ofstream& csv) {
  csv << "packet,action,in_bytes,out_bytes,instructions,redirect_ifindex,diagnostic\n";
}

void write_verdict(std::ofstream& csv, const traffic::Packet& in,
                   const testbench::PacketResult& result) {
  std::string diagnostic = result.execution.diagnostic;
  for (char& c : diagnostic) {
    if (c == '"') c = '\'';
  }
  csv << fmt::format(
      "{},{},{},{},{},{},\"{}\"\n", result.index, ebpf::xdp_action_name(result.action),
      in.bytes.size(), result.output.bytes.size(), result.execution.instructions,
      result.action == ebpf::XdpAction::Redirect ? result.redirect.ifindex : 0, diagnostic);
}

}  // namespace

int run_main(const std::vector<std::string>& args) {
  std::string object_path, section, in, gen, out, redirect_out, json, verdicts, maps, dump_maps,
      fib, backend;
  uint32_t cpus = 1, cpu = 0;
  uint64_t seed = 0, budget = 1'000'000;
  po::options_description options("options");
  options.add_options()("object", po::value(&object_path)->required(),
                        "BPF object file (clang -target bpf)")(
      "section,s", po::value(&section)->default_value(""),
      "program to run: section, function or section/function (default: the only XDP program)")(
      "in,i", po::value(&in)->default_value(""), "input pcap (Ethernet)")(
      "gen,g", po::value(&gen)->default_value(""),
      "generate the input instead, e.g. 'flows=16,packets=1000' (see nicsim gen --help)")(
      "out,o", po::value(&out)->default_value(""), "write passed and transmitted packets (pcap)")(
      "redirect-out", po::value(&redirect_out)->default_value(""),
      "write redirected packets (pcap)")("json", po::value(&json)->default_value(""),
                                         "write a JSON summary to FILE ('-': stdout)")(
      "verdicts", po::value(&verdicts)->default_value(""),
      "write one CSV line per packet (action, sizes, instructions, diagnostic)")(
      "maps", po::value(&maps)->default_value(""),
      "preload map contents from JSON (default: <object>.maps.json beside the object, if any)")(
      "no-default-maps", "do not load <object>.maps.json")(
      "dump-maps", po::value(&dump_maps)->default_value(""),
      "write map contents after the run (JSON)")("fib", po::value(&fib)->default_value(""),
                                                 "routes for bpf_fib_lookup (JSON, see docs)")(
      "backend,b", po::value(&backend)->default_value("interp"), engine_choice_help().c_str())(
      "cpus", po::value(&cpus)->default_value(1), "simulated CPUs (per-CPU maps)")(
      "cpu", po::value(&cpu)->default_value(0), "CPU the program runs on")(
      "seed", po::value(&seed)->default_value(0), "bpf_get_prandom_u32 seed (0: built-in)")(
      "budget", po::value(&budget)->default_value(1'000'000),
      "instruction budget per packet (interpreter)")("trace", "print bpf_trace_printk output")(
      "quiet,q", "print nothing but errors");
  po::positional_options_description positional;
  positional.add("object", 1);
  po::variables_map values;
  if (!parse_command_line(args,
                          "usage: nicsim run prog.o [--section S] (--in in.pcap | --gen SPEC) "
                          "[--out out.pcap] [--json summary.json]",
                          options, positional, values))
    return kExitOk;
  if (in.empty() && gen.empty()) throw Error("no traffic: give --in in.pcap or --gen SPEC");

  LoadedProgram loaded = load_program(object_path, section, /*want_xdp=*/true);
  ebpf::RuntimeConfig config;
  config.num_cpus = cpus;
  config.cpu = cpu;
  if (seed != 0) config.prandom_seed = seed;
  ebpf::Runtime runtime(loaded.object, config);
  if (maps.empty() && !values.count("no-default-maps"))
    maps = default_maps_file(object_path).value_or("");
  if (!maps.empty()) ebpf::load_map_contents(runtime, read_json_file(maps), maps);
  if (!fib.empty()) runtime.fib().load_json_file(fib);

  EngineOptions engine_options;
  engine_options.instruction_budget = budget;
  std::unique_ptr<ebpf::Engine> engine =
      make_engine(backend, loaded.object, loaded.program(), runtime, engine_options);

  PacketSource source(in, gen);
  std::optional<traffic::PcapWriter> out_writer, redirect_writer;
  if (!out.empty()) out_writer.emplace(out);
  if (!redirect_out.empty()) redirect_writer.emplace(redirect_out);
  std::ofstream verdict_file;
  if (!verdicts.empty()) {
    verdict_file.open(verdicts);
    if (!verdict_file) throw Error(fmt::format("{}: cannot open for writing", verdicts));
    write_verdict_header(verdict_file);
  }

  const bool quiet = values.count("quiet") > 0;
  const bool progress = !quiet && isatty(STDERR_FILENO);
  testbench::XdpSession session(*engine, runtime);
  const auto started = std::chrono::steady_clock::now();
  auto last_report = started;
  while (auto packet = source.next()) {
    const testbench::PacketResult result = session.process(*packet);
    if (result.action == ebpf::XdpAction::Pass || result.action == ebpf::XdpAction::Tx) {
      if (out_writer) out_writer->write(result.output);
    } else if (result.action == ebpf::XdpAction::Redirect && redirect_writer) {
      redirect_writer->write(result.output);
    }
    if (verdict_file) write_verdict(verdict_file, *packet, result);
    if (progress && (session.stats().packets & 0xfff) == 0) {
      const auto now = std::chrono::steady_clock::now();
      if (now - last_report > std::chrono::seconds(1)) {
        fmt::print(stderr, "\r  {} packets...", session.stats().packets);
        last_report = now;
      }
    }
  }
  if (progress && last_report != started) fmt::print(stderr, "\r\033[K");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (out_writer) out_writer->close();
  if (redirect_writer) redirect_writer->close();
  if (verdict_file) {
    verdict_file.close();
    if (!verdict_file) throw Error(fmt::format("{}: write failed", verdicts));
  }
  if (!dump_maps.empty()) write_json_file(dump_maps, ebpf::dump_map_contents(runtime));

  const testbench::RunStats& stats = session.stats();
  nlohmann::json summary = testbench::to_json(stats);
  summary["object"] = object_path;
  summary["program"] = loaded.program().display_name();
  summary["backend"] = std::string(engine->name());
  summary["input"] = source.description();
  summary["wall_seconds"] = seconds;
  if (auto* jit_engine = dynamic_cast<jit::JitEngine*>(engine.get())) {
    if (const auto* arm64 = jit::arm64_backend_of(*jit_engine); arm64 && arm64->runs() > 0) {
      summary["arm64_instructions"] = arm64->total_instructions();
      summary["arm64_instructions_per_packet"] =
          static_cast<double>(arm64->total_instructions()) / arm64->runs();
    }
  }
  if (values.count("trace")) {
    for (const auto& record : runtime.trace_log())
      fmt::print("trace [packet {}]: {}\n", record.packet, record.text);
  }
  if (json == "-") {
    fmt::print("{}\n", summary.dump(2));
  } else {
    if (!json.empty()) write_json_file(json, summary);
    if (!quiet)
      print_run_summary(summary, stats, out, out_writer ? out_writer->packets_written() : 0);
  }
  return kExitOk;
}

}  // namespace nicsim::cli
