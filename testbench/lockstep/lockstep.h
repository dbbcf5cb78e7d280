#pragma once
// The lockstep harness (docs/nic-isa.md section 13): the SystemC model and the Verilated RTL run
// the same image on the same packets, one cycle at a time, and every cycle the bundle each
// retired, the register writes that land, the memory writes and the packet ends are compared.
// The first divergence stops the run and is reported with the cycle, the bundle and what each
// side did.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ebpf/runtime/runtime.h"
#include "ebpf/runtime/xdp.h"
#include "firmware/image/image.h"
#include "model/config.h"
#include "model/stats.h"

namespace nicsim::lockstep {

struct LockstepPacket {
  ebpf::XdpFrame* model_frame = nullptr;  // each engine processes its own copy
  ebpf::XdpFrame* rtl_frame = nullptr;
  uint64_t arrival_cycle = 0;
  uint64_t time_ns = 0;
};

struct LockstepResult {
  bool diverged = false;
  uint64_t divergence_cycle = 0;
  std::string report;  // the first divergence, several lines
  uint64_t cycles = 0;
  uint64_t bundles = 0;          // retired bundles compared
  uint64_t register_writes = 0;  // register writes compared
  uint64_t memory_writes = 0;
  std::vector<model::PacketOutcome> model_outcomes;
  std::vector<model::PacketOutcome> rtl_outcomes;
};

struct LockstepOptions {
  uint64_t max_cycles = 20'000'000;  // a run longer than this is a divergence (a hang)
};

// Runs `packets` on both engines. The two runtimes must hold the same map contents.
LockstepResult run_lockstep(const firmware::Image& image, ebpf::Runtime& model_runtime,
                            ebpf::Runtime& rtl_runtime, std::span<const LockstepPacket> packets,
                            const model::ModelConfig& config = {},
                            const LockstepOptions& options = {});

}  // namespace nicsim::lockstep
