#include "testbench/rtl_engine/rtl_engine.h"

#include <algorithm>
#include <cstring>

namespace nicsim::rtl {

RtlEngine::RtlEngine(firmware::Image image, ebpf::Runtime& runtime, model::ModelConfig config,
                     bool traced)
    : runtime_(runtime),
      system_(std::make_unique<RtlSystem>(std::move(image), runtime, config, traced)) {}

RtlEngine::~RtlEngine() = default;

ebpf::ExecutionResult RtlEngine::run_xdp(ebpf::XdpFrame& frame) {
  model::PacketOutcome outcome;
  model::PacketJob job;
  job.frame = &frame;
  job.outcome = &outcome;
  job.arrival_cycle = system_->cycle();
  job.time_ns = runtime_.now_ns();
  system_->submit(&job);
  system_->run_until_idle();
  last_ = std::move(outcome);
  runtime_.redirect() = last_.redirect;
  return last_.result;
}

ebpf::ExecutionResult RtlEngine::run_raw(std::span<uint8_t> memory) {
  ebpf::XdpFrame frame(memory);
  ebpf::ExecutionResult result = run_xdp(frame);
  const auto packet = frame.packet();
  std::memcpy(memory.data(), packet.data(), std::min(packet.size(), memory.size()));
  return result;
}

std::vector<model::PacketOutcome> RtlEngine::run_batch(std::span<ebpf::XdpFrame* const> frames) {
  std::vector<model::PacketOutcome> outcomes(frames.size());
  std::vector<model::PacketJob> jobs(frames.size());
  const uint64_t now = system_->cycle();
  for (size_t i = 0; i < frames.size(); ++i) {
    jobs[i].frame = frames[i];
    jobs[i].outcome = &outcomes[i];
    jobs[i].arrival_cycle = now;
    jobs[i].time_ns = runtime_.now_ns();
    system_->submit(&jobs[i]);
  }
  system_->run_until_idle();
  return outcomes;
}

void RtlEngine::finish() {
  system_->close_pipeline_trace();
  system_->close_wave();
}

std::unique_ptr<RtlEngine> make_rtl_engine(firmware::Image image, ebpf::Runtime& runtime,
                                           const RtlEngineOptions& options) {
  auto engine = std::make_unique<RtlEngine>(std::move(image), runtime, options.config);
  if (!options.wave.path.empty()) engine->system().open_wave(options.wave);
  if (!options.pipeline_trace.empty()) engine->system().open_pipeline_trace(options.pipeline_trace);
  return engine;
}

std::unique_ptr<RtlEngine> make_rtl_engine(firmware::Image image, ebpf::Runtime& runtime,
                                           model::ModelConfig config) {
  return std::make_unique<RtlEngine>(std::move(image), runtime, config);
}

}  // namespace nicsim::rtl
