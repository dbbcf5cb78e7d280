#pragma once
// The NIC around Verilated cores (docs/nic-isa.md section 8): the dispatcher, the output
// engine, the data memories and the helper units, stepped one cycle at a time like
// model::NicSystem. The cores are RTL; everything here is the system they sit in. The data
// memories and helper units are the model's own C++ classes (model/memory, model/core/
// helper_units), reached through the cores' memory and helper ports, so that both engines see
// the same bytes and the same helper semantics while the core itself is independent.

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "ebpf/runtime/runtime.h"
#include "firmware/image/image.h"
#include "model/config.h"
#include "model/core/context.h"
#include "model/core/helper_units.h"
#include "model/memory/address_space.h"
#include "model/memory/map_memory.h"
#include "model/system/nic_system.h"
#include "testbench/rtl_engine/rtl_core.h"
#include "testbench/rtl_engine/rtl_observer.h"
#include "testbench/wave/kanata_writer.h"
#include "testbench/wave/wave_options.h"

namespace nicsim::rtl {

class RtlKanataObserver;

// The waveform request is the same for both engines (testbench/wave/wave_options.h). The RTL
// dumps every signal of core 0 (but the two memories).
using WaveFormat = wave::WaveFormat;
using WaveOptions = wave::WaveOptions;

class RtlSystem {
 public:
  // Throws nicsim::Error for an image or configuration the Verilated core cannot run. The cores
  // are the Verilated build without tracing unless `traced` (see open_wave).
  RtlSystem(firmware::Image image, ebpf::Runtime& runtime, model::ModelConfig config = {},
            bool traced = false);
  ~RtlSystem();
  RtlSystem(const RtlSystem&) = delete;
  RtlSystem& operator=(const RtlSystem&) = delete;

  void submit(model::PacketJob* job);
  void step();
  void run_until_idle();
  bool busy() const { return in_flight_ > 0; }

  uint64_t cycle() const { return cycle_; }
  const model::ModelConfig& config() const { return config_; }
  const firmware::Image& image() const { return image_; }
  // Observers see every cycle's records in the order they were added.
  void set_observer(RtlObserver* observer) {
    observers_.clear();
    if (observer) observers_.push_back(observer);
  }
  void add_observer(RtlObserver* observer) { observers_.push_back(observer); }
  // Core 0 only (the waveform hierarchy is one core's). Before the first cycle, a core built
  // without tracing is rebuilt with it; later, the system must have been built `traced` (else
  // nicsim::Error).
  void open_wave(const WaveOptions& options);
  void close_wave();
  // A Kanata pipeline trace of every core (Konata viewer); throws nicsim::Error when the file
  // cannot be written.
  void open_pipeline_trace(const std::string& path);
  void close_pipeline_trace();
  RtlCore& core(uint32_t index) { return *cores_[index]; }

 private:
  using Context = model::ContextState;

  // Starts and releases the contexts whose cycle has come; called from next_phase_change_ on.
  void activate_and_release();
  // A context's start or release cycle was set: activate_and_release looks again at `cycle`.
  void note_phase_change(uint64_t cycle) {
    next_phase_change_ = std::min(next_phase_change_, cycle);
  }
  // A context starts at `cycle` + 1 or reaches its deadline there: run_core looks at the
  // contexts again in `cycle`.
  void note_context_check(uint64_t cycle) {
    next_context_check_ = std::min(next_context_check_, cycle);
  }
  void start_context(uint32_t core, uint32_t c);
  // Called unless the front packet was checked and waits for a free context.
  void run_dispatcher();
  void prefetch_frames() const;
  // Whether observers or a waveform watch the run: the cycle's code is instantiated for both
  // answers, so that an unwatched run (the common case) tests none of it per cycle.
  bool watched() const;
  // One cycle of the system around the cores; `run_cores` runs each core's part of it.
  template <bool kWatched, typename RunCores>
  void cycle_with(RunCores&& run_cores);
  // `Ports` is the RtlPorts of the core's Verilated build (rtl_ports.h): the cycle's code is
  // instantiated once per build, so a port access is a load or a store.
  template <bool kWatched, typename Ports>
  void run_core(uint32_t core, Ports& rtl, bool& helper_taken);
  // This cycle's memory requests, read once from the core, and the host bytes each reaches.
  struct PortRequests {
    std::array<MemoryRequest, kRtlMemPorts> requests{};
    std::array<uint8_t*, kRtlMemPorts> hosts{};
  };
  template <typename Ports>
  void answer_ports(uint32_t core, Ports& rtl, PortRequests& ports);
  // Counts, per context, the stall code the core reports for it this cycle (RtlCore::stall_bits)
  // without looking at the context's phase: the counts restart when a packet starts and are
  // charged to the packet when it ends, so they cover exactly its running cycles.
  void count_stalls(uint32_t core, uint32_t stall_bits);
  // The data each memory port wrote in the retiring bundle.
  using WrittenData = std::array<uint64_t, kRtlMemPorts>;
  template <bool kWatched, typename Ports>
  void retire(uint32_t core, Ports& rtl, const RetiredBundle& bundle, const PortRequests& ports);
  // The retire record for the observers.
  void report_retire(uint32_t core, const RetiredBundle& bundle, const PortRequests& ports,
                     const WrittenData& written);
  void end_packet(uint32_t core, uint32_t c, uint64_t cycle, uint64_t r0, bool aborted,
                  std::string diagnostic);
  // Called when the output engine is free and a packet waits for it.
  void run_output_engine();
  uint32_t transfer_cycles(size_t bytes) const;

  firmware::Image image_;
  ebpf::Runtime& runtime_;
  model::ModelConfig config_;
  model::MapMemory maps_;
  model::AddressSpace memory_;
  model::HelperUnits helpers_;
  std::vector<uint32_t> bundle_ebpf_;  // eBPF instructions per bundle (from the origins)
  std::vector<std::unique_ptr<RtlCore>> cores_;
  std::vector<std::vector<Context>> contexts_;  // [core][context]
  // [core][context][RtlStall code]: cycles since the context's packet started.
  using StallCodeCounts = std::array<uint64_t, 8>;
  std::vector<std::array<StallCodeCounts, kRtlContexts>> stall_counts_;
  std::deque<model::PacketJob*> input_;
  std::deque<std::pair<uint32_t, uint32_t>> output_;
  std::vector<RtlObserver*> observers_;
  std::unique_ptr<std::ofstream> pipeline_file_;
  std::unique_ptr<wave::KanataWriter> pipeline_trace_;
  std::unique_ptr<RtlKanataObserver> pipeline_observer_;
  WaveOptions wave_;
  uint64_t cycle_ = 0;
  uint64_t dispatch_free_ = 0;
  uint64_t output_free_ = 0;
  // The earliest start or release cycle still pending: activate_and_release has nothing to do
  // before it (it would look at every context every cycle).
  uint64_t next_phase_change_ = 0;
  uint64_t next_context_check_ = 0;  // likewise for run_core's start and deadline checks
  uint32_t last_core_;
  uint32_t free_contexts_ = 0;  // over all cores
  bool front_fits_ = false;     // the front packet of input_ was checked and fits
  size_t in_flight_ = 0;
};

}  // namespace nicsim::rtl
