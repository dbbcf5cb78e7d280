#include "tools/nicsim/nic_engines.h"

#include <fmt/format.h>

#include "ebpf/util/error.h"
#include "model/engine/model_engine.h"

namespace nicsim::cli {

void add_nic_engine_options(po::options_description&) {}

const std::string& nic_engine_help() {
  static const std::string kHelp = "NIC engine: model (the SystemC cycle-accurate model)";
  return kHelp;
}

NicEngineSetup make_nic_engine(const std::string& name, const firmware::Image& image,
                               ebpf::Runtime& runtime, const model::ModelConfig& config,
                               const po::variables_map&) {
  NicEngineSetup setup;
  if (name == "model") {
    auto engine = std::make_shared<model::ModelEngine>(image, runtime, config);
    setup.engine = engine;
    setup.runner = [engine](std::span<ebpf::XdpFrame* const> frames) {
      return engine->run_batch(frames);
    };
    return setup;
  }
  throw Error(fmt::format("unknown NIC engine '{}' ({})", name, nic_engine_help()));
}

}  // namespace nicsim::cli
