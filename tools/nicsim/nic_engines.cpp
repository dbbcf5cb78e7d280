#include "tools/nicsim/nic_engines.h"

#include <fmt/format.h>

#include <fstream>

#include "ebpf/util/error.h"
#include "model/engine/model_engine.h"
#include "model/observer_fanout.h"
#include "testbench/rtl_engine/rtl_engine.h"
#include "testbench/wave/kanata_writer.h"
#include "testbench/wave/model_kanata.h"
#include "testbench/wave/model_wave.h"
#include "testbench/wave/wave_options.h"
#include "testbench/wave/wave_viewer.h"

namespace nicsim::cli {

namespace {

// --wave, --wave-format, --wave-from/--wave-to: one request for either engine.
wave::WaveOptions wave_options(const po::variables_map& values) {
  wave::WaveOptions options;
  options.path = values["wave"].as<std::string>();
  const std::string format = values["wave-format"].as<std::string>();
  if (format == "vcd") {
    options.format = wave::WaveFormat::Vcd;
  } else if (format != "fst") {
    throw Error(fmt::format("--wave-format {}: must be fst or vcd", format));
  }
  options.from_cycle = values["wave-from"].as<uint64_t>();
  if (values.count("wave-to")) options.to_cycle = values["wave-to"].as<uint64_t>();
  if (options.to_cycle <= options.from_cycle)
    throw Error(fmt::format("--wave-to {} must be after --wave-from {}", options.to_cycle,
                            options.from_cycle));
  if (!options.path.empty()) options.filter_path = wave::locate_wave_filter();
  return options;
}

std::string gtkw_path(const std::string& dump) {
  const auto dot = dump.find_last_of('.');
  const auto slash = dump.find_last_of('/');
  const bool has_extension =
      dot != std::string::npos && (slash == std::string::npos || dot > slash);
  return (has_extension ? dump.substr(0, dot) : dump) + ".gtkw";
}

}  // namespace

void add_nic_engine_options(po::options_description& options) {
  options.add_options()("wave", po::value<std::string>()->default_value(""),
                        "write a waveform of core 0 (FST unless --wave-format vcd), with a "
                        "GTKWave save file beside it; open it with `nicsim wave FILE`")(
      "wave-format", po::value<std::string>()->default_value("fst"), "fst or vcd")(
      "wave-from", po::value<uint64_t>()->default_value(0),
      "first cycle in the waveform (keeps long runs small)")(
      "wave-to", po::value<uint64_t>(), "cycle after the last one in the waveform")(
      "pipeline-trace", po::value<std::string>()->default_value(""),
      "write a Kanata log of every bundle through the stages (Konata viewer)");
}

const std::string& nic_engine_help() {
  static const std::string kHelp =
      "NIC engine: model (the SystemC cycle-accurate model) or rtl (the Verilated SystemVerilog "
      "core; same cycles, slower)";
  return kHelp;
}

NicEngineSetup make_nic_engine(const std::string& name, const firmware::Image& image,
                               ebpf::Runtime& runtime, const model::ModelConfig& config,
                               const po::variables_map& values) {
  NicEngineSetup setup;
  const wave::WaveOptions wave = values.count("wave") ? wave_options(values) : wave::WaveOptions{};
  const std::string trace =
      values.count("pipeline-trace") ? values["pipeline-trace"].as<std::string>() : std::string();
  if (!wave.path.empty()) {
    setup.notes.push_back(fmt::format("waveform: {} (GTKWave save file {}); view: nicsim wave {}",
                                      wave.path, gtkw_path(wave.path), wave.path));
  }
  if (name == "model") {
    auto engine = std::make_shared<model::ModelEngine>(image, runtime, config);
    setup.engine = engine;
    setup.runner = [engine](std::span<ebpf::XdpFrame* const> frames) {
      return engine->run_batch(frames);
    };
    // The model has one observer: the waveform writer and the pipeline trace share it.
    auto observers = std::make_shared<model::ObserverFanout>();
    std::shared_ptr<wave::ModelWaveWriter> writer;
    if (!wave.path.empty()) {
      writer = std::make_shared<wave::ModelWaveWriter>(engine->system().image(), wave,
                                                       config.contexts, config.clock_hz);
      observers->add(writer.get());
    }
    std::shared_ptr<std::ofstream> trace_file;
    std::shared_ptr<wave::KanataWriter> kanata;
    std::shared_ptr<wave::ModelKanataObserver> kanata_observer;
    if (!trace.empty()) {
      trace_file = std::make_shared<std::ofstream>(trace);
      if (!*trace_file) throw Error(fmt::format("cannot write the pipeline trace '{}'", trace));
      kanata = std::make_shared<wave::KanataWriter>(*trace_file, engine->system().image(),
                                                    config.contexts);
      kanata_observer = std::make_shared<wave::ModelKanataObserver>(*kanata);
      observers->add(kanata_observer.get());
      setup.notes.push_back(fmt::format("pipeline trace: {} (Konata)", trace));
    }
    if (writer || kanata) {
      engine->system().set_observer(observers.get());
      setup.finish = [engine, observers, writer, trace_file, kanata, kanata_observer] {
        engine->system().set_observer(nullptr);
        if (kanata) kanata->finish();
        if (writer) writer->finish(engine->system().cycle());
      };
    }
    return setup;
  }
  if (name == "rtl") {
    rtl::RtlEngineOptions options;
    options.config = config;
    options.wave = wave;
    options.pipeline_trace = trace;
    std::shared_ptr<rtl::RtlEngine> engine = rtl::make_rtl_engine(image, runtime, options);
    setup.engine = engine;
    setup.runner = [engine](std::span<ebpf::XdpFrame* const> frames) {
      return engine->run_batch(frames);
    };
    setup.finish = [engine] { engine->finish(); };
    if (!trace.empty()) setup.notes.push_back(fmt::format("pipeline trace: {} (Konata)", trace));
    return setup;
  }
  throw Error(fmt::format("unknown NIC engine '{}' ({})", name, nic_engine_help()));
}

}  // namespace nicsim::cli
