#include "model/engine/model_engine.h"

#include <algorithm>
#include <cstring>

namespace nicsim::model {

ModelEngine::ModelEngine(firmware::Image image, ebpf::Runtime& runtime, ModelConfig config)
    : runtime_(runtime), system_(std::make_unique<NicSystem>(std::move(image), runtime, config)) {}

ModelEngine::~ModelEngine() = default;

ebpf::ExecutionResult ModelEngine::run_xdp(ebpf::XdpFrame& frame) {
  PacketOutcome outcome;
  PacketJob job;
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

ebpf::ExecutionResult ModelEngine::run_raw(std::span<uint8_t> memory) {
  ebpf::XdpFrame frame(memory);
  ebpf::ExecutionResult result = run_xdp(frame);
  const auto packet = frame.packet();
  std::memcpy(memory.data(), packet.data(), std::min(packet.size(), memory.size()));
  return result;
}

std::vector<PacketOutcome> ModelEngine::run_batch(std::span<ebpf::XdpFrame* const> frames) {
  std::vector<PacketOutcome> outcomes(frames.size());
  std::vector<PacketJob> jobs(frames.size());
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

}  // namespace nicsim::model
