#pragma once
// The modelled NIC (docs/nic-isa.md section 8): dispatcher, N cores of K contexts, output
// engine, shared map memory and helper units, stepped one cycle at a time. The SystemC module
// (model/systemc) and the Engine adapter (model/engine) both drive this class, so they are
// cycle-identical by construction.

#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "ebpf/runtime/runtime.h"
#include "ebpf/runtime/xdp.h"
#include "firmware/image/image.h"
#include "model/config.h"
#include "model/core/core.h"
#include "model/memory/constant_divisor.h"
#include "model/observer.h"
#include "model/stats.h"

namespace nicsim::model {

// One packet's trip through the NIC. Owned by the caller; must outlive its processing, as must
// the outcome it points to. The outcome lives apart from the job so that a batch's results are
// written where the caller keeps them (one array, not a copy of every job's).
struct PacketJob {
  ebpf::XdpFrame* frame = nullptr;
  uint64_t arrival_cycle = 0;        // enters the input queue
  uint64_t time_ns = 0;              // what time_ns (bpf_ktime_get_ns) reads for this packet
  PacketOutcome* outcome = nullptr;  // written by the system (required)
  bool done = false;
};

class NicSystem {
 public:
  // Throws nicsim::Error for an invalid image or configuration, or maps that do not match.
  NicSystem(firmware::Image image, ebpf::Runtime& runtime, ModelConfig config = {});
  ~NicSystem();
  NicSystem(const NicSystem&) = delete;
  NicSystem& operator=(const NicSystem&) = delete;

  // Queues a packet behind the ones already queued.
  void submit(PacketJob* job);
  // Advances the NIC by one cycle.
  void step();
  // Steps until every submitted packet is done, skipping cycles in which nothing can change.
  void run_until_idle();
  bool busy() const { return in_flight_ > 0; }

  uint64_t cycle() const { return cycle_; }
  const ModelConfig& config() const { return config_; }
  const firmware::Image& image() const { return image_; }
  ebpf::Runtime& runtime() { return runtime_; }
  // Reports of every core (model/observer.h); nullptr: none.
  void set_observer(RetireObserver* observer);

 private:
  void step_cycle();  // step(), inlined where it is called
  void activate_and_release();
  void handle_exit(Core& core, uint32_t c);
  void run_output_engine();
  void run_dispatcher();
  [[gnu::cold, gnu::noinline]] void report_cycle();  // to the observer, after every cycle
  // Cycles from cycle_ + 1 on in which provably nothing happens (0 when the next cycle may).
  uint64_t quiet_cycles() const;
  uint32_t transfer_cycles(size_t bytes) const {
    // Frames are at most the packet buffer's size, so the sum fits 32 bits.
    const auto rounded_up = static_cast<uint32_t>(bytes + transfer_width_.divisor() - 1);
    return std::max<uint32_t>(1, transfer_width_.quotient(rounded_up));
  }

  firmware::Image image_;
  ebpf::Runtime& runtime_;
  ModelConfig config_;
  struct Units;
  std::unique_ptr<Units> units_;
  std::vector<std::unique_ptr<Core>> cores_;
  struct Queued {
    PacketJob* job;
    bool fits;  // the frame fits the packet buffer (checked once, at submit)
  };
  std::deque<Queued> input_;
  size_t free_contexts_ = 0;  // contexts in ContextPhase::Free, over all cores
  // Per core, bit c: context c is Free / is Loading or Draining. The dispatcher and the
  // activation visit only these contexts (in context order, as a scan would).
  std::vector<uint32_t> free_mask_;
  std::vector<uint32_t> transition_mask_;
  std::deque<std::pair<uint32_t, uint32_t>> output_;  // (core, context) in exit order
  std::vector<uint32_t> exits_;
  RetireObserver* observer_ = nullptr;
  ConstantDivisor transfer_width_;  // config_.dispatch_bytes_per_cycle
  // What a dispatched packet's statistics start from: copied, because assigning PacketStats{}
  // compiles to a `rep stos`, which is slow to start for so few bytes.
  PacketStats fresh_stats_{};
  uint64_t cycle_ = 0;
  uint64_t dispatch_free_ = 0;
  uint64_t output_free_ = 0;
  uint32_t last_core_;
  size_t in_flight_ = 0;
  uint64_t next_transition_ = 0;  // earliest start or release of a context
  bool active_ = true;            // something issued or fetched in the last step
};

}  // namespace nicsim::model
