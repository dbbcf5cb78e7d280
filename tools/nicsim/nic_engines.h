#pragma once
// The NIC engines `sim` and `compare` can run: the SystemC model and the Verilated RTL, with
// their engine-specific options (waveforms, pipeline trace).

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ebpf/runtime/runtime.h"
#include "firmware/image/image.h"
#include "model/config.h"
#include "testbench/session/nic_session.h"
#include "tools/nicsim/cli_common.h"

namespace nicsim::cli {

struct NicEngineSetup {
  std::shared_ptr<ebpf::Engine> engine;  // keeps the engine alive for the runner
  testbench::NicBatchRunner runner;
  std::function<void()> finish = [] {};             // closes waveforms and traces
  nlohmann::json extra = nlohmann::json::object();  // engine-specific results
  std::vector<std::string> notes;  // lines for the human summary (files written, ...)
};

void add_nic_engine_options(po::options_description& options);
const std::string& nic_engine_help();

NicEngineSetup make_nic_engine(const std::string& name, const firmware::Image& image,
                               ebpf::Runtime& runtime, const model::ModelConfig& config,
                               const po::variables_map& values);

}  // namespace nicsim::cli
