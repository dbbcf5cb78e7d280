#pragma once
// The Verilated core's side of the one engine interface (ebpf/engine/engine.h): a NIC image
// run packet by packet on RtlSystem, plus a back-to-back batch mode, exactly as
// model::ModelEngine offers them, so that `nicsim sim --engine model|rtl` is one switch.

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ebpf/engine/engine.h"
#include "ebpf/runtime/runtime.h"
#include "firmware/image/image.h"
#include "model/config.h"
#include "model/stats.h"
#include "testbench/rtl_engine/rtl_system.h"

namespace nicsim::rtl {

class RtlEngine : public ebpf::Engine {
 public:
  // Throws nicsim::Error when the image or the configuration does not fit the Verilated core.
  // `traced`: the core built with waveform tracing from the start, so that a waveform can be
  // opened after the first cycle (RtlSystem::open_wave).
  RtlEngine(firmware::Image image, ebpf::Runtime& runtime, model::ModelConfig config = {},
            bool traced = false);
  ~RtlEngine() override;

  std::string_view name() const override { return "rtl"; }
  ebpf::ExecutionResult run_xdp(ebpf::XdpFrame& frame) override;
  ebpf::ExecutionResult run_raw(std::span<uint8_t> memory) override;
  std::vector<model::PacketOutcome> run_batch(std::span<ebpf::XdpFrame* const> frames);

  const model::PacketOutcome& last_outcome() const { return last_; }
  RtlSystem& system() { return *system_; }
  // Closes the waveform (an FST is converted here) and the pipeline trace; throws
  // nicsim::Error when the waveform cannot be finished. The destructor does the same silently.
  void finish();

 private:
  ebpf::Runtime& runtime_;
  std::unique_ptr<RtlSystem> system_;
  model::PacketOutcome last_;
};

// What `nicsim sim --engine rtl` may ask for besides the NIC configuration.
struct RtlEngineOptions {
  model::ModelConfig config{};
  // Waveform of core 0: wave.path empty = none; wave.format Fst (default) or Vcd; the cycle
  // window [wave.from_cycle, wave.to_cycle); wave.filter_path = the nicsim-wave-filter
  // executable the GTKWave save file (written beside the dump) names ("" = no filter).
  WaveOptions wave{};
  std::string pipeline_trace;  // Kanata log (Konata viewer); empty = none
};

// The factory the CLI and the test benches use, beside the model's. Throws nicsim::Error when
// the image or configuration does not fit the Verilated core, or a file cannot be written.
std::unique_ptr<RtlEngine> make_rtl_engine(firmware::Image image, ebpf::Runtime& runtime,
                                           const RtlEngineOptions& options);
std::unique_ptr<RtlEngine> make_rtl_engine(firmware::Image image, ebpf::Runtime& runtime,
                                           model::ModelConfig config = {});

}  // namespace nicsim::rtl
