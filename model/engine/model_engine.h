#pragma once
// The SystemC model's side of the one engine interface (ebpf/engine/engine.h): a NIC image run
// packet by packet on the modelled NIC, plus a back-to-back batch mode for throughput.

#include <memory>
#include <span>
#include <vector>

#include "ebpf/engine/engine.h"
#include "ebpf/runtime/runtime.h"
#include "firmware/image/image.h"
#include "model/config.h"
#include "model/stats.h"
#include "model/system/nic_system.h"

namespace nicsim::model {

class ModelEngine : public ebpf::Engine {
 public:
  // Throws nicsim::Error when the image is invalid or its maps do not match the runtime's.
  ModelEngine(firmware::Image image, ebpf::Runtime& runtime, ModelConfig config = {});
  ~ModelEngine() override;

  std::string_view name() const override { return "model"; }
  // One packet alone on an idle NIC (the latency view).
  ebpf::ExecutionResult run_xdp(ebpf::XdpFrame& frame) override;
  ebpf::ExecutionResult run_raw(std::span<uint8_t> memory) override;

  // Every frame queued at once, processed back to back (the throughput view). The runtime's
  // redirect target is not updated: each outcome carries its own.
  std::vector<PacketOutcome> run_batch(std::span<ebpf::XdpFrame* const> frames);

  // The outcome of the last run_xdp / run_raw.
  const PacketOutcome& last_outcome() const { return last_; }
  NicSystem& system() { return *system_; }

 private:
  ebpf::Runtime& runtime_;
  std::unique_ptr<NicSystem> system_;
  PacketOutcome last_;
};

}  // namespace nicsim::model
