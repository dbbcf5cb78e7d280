#include "testbench/rtl_engine/rtl_system.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "ebpf/util/error.h"
#include "firmware/isa/address_map.h"
#include "firmware/routines/routines.h"
#include "model/memory/host_bytes.h"
#include "testbench/rtl_engine/rtl_kanata.h"
#include "testbench/rtl_engine/rtl_ports.h"
#include "testbench/rtl_engine/rtl_wave_layout.h"
#include "testbench/wave/gtkw_writer.h"

namespace nicsim::rtl {

using model::ContextPhase;
using model::PacketJob;

namespace {

void check_config(const model::ModelConfig& config) {
  model::validate_config(config);
  const model::LatencyConfig& l = config.latency;
  const auto require = [](bool ok, const std::string& what) {
    if (!ok) throw Error("the RTL core is built with " + what);
  };
  require(config.contexts == kRtlContexts, fmt::format("{} contexts per core", kRtlContexts));
  // Cores share the helper port; the Verilated core is built without the arbiter input
  // (nic_core HelperArbiter = 0, which keeps issue selection free of combinational inputs).
  require(config.cores == 1, "one core (N = 1): it has no helper-port arbitration between cores");
  require(l.packet_load == kRtlLoadLatency && l.stack_load == kRtlLoadLatency &&
              l.context_load == kRtlLoadLatency && l.map_load == kRtlLoadLatency &&
              l.firmware_load == kRtlLoadLatency,
          fmt::format("a load latency of {} cycles in every region", kRtlLoadLatency));
  require(l.multiply == kRtlMulLatency, fmt::format("a multiply latency of {}", kRtlMulLatency));
  require(l.divide64 == kRtlDiv64Latency && l.divide32 == kRtlDiv32Latency,
          fmt::format("divide latencies of {} (64-bit) and {} (32-bit)", kRtlDiv64Latency,
                      kRtlDiv32Latency));
}

}  // namespace

RtlSystem::RtlSystem(firmware::Image image, ebpf::Runtime& runtime, model::ModelConfig config,
                     bool traced)
    : image_(std::move(image)),
      runtime_(runtime),
      config_(config),
      maps_((check_config(config_), firmware::validate_image(image_), image_), runtime_),
      memory_(maps_),
      helpers_(runtime_, memory_, config_.latency),
      last_core_(config_.cores - 1) {
  bundle_ebpf_.assign(image_.bundle_count(), 0);
  if (!image_.origins.empty()) {
    for (size_t n = 0; n < image_.bundle_count(); ++n) {
      for (size_t lane = 0; lane < image_.lanes; ++lane)
        bundle_ebpf_[n] += static_cast<uint32_t>(image_.origins[n * image_.lanes + lane].size());
    }
  }
  std::vector<ebpf::MemoryRegion> stacks;
  contexts_.resize(config_.cores);
  stall_counts_.resize(config_.cores);
  for (uint32_t i = 0; i < config_.cores; ++i) {
    cores_.push_back(std::make_unique<RtlCore>(i, image_, traced));
    contexts_[i].resize(config_.contexts);
    free_contexts_ += config_.contexts;
    for (Context& ctx : contexts_[i]) {
      const auto begin = reinterpret_cast<uint64_t>(ctx.stack.data());
      stacks.push_back({begin, begin + ctx.stack.size(), true, ebpf::RegionKind::Stack});
    }
  }
  runtime_.set_regions(std::move(stacks));
  const uint64_t seed = runtime_.config().prandom_seed ? runtime_.config().prandom_seed : 1;
  std::memcpy(memory_.firmware_data().data() + firmware::kPrandomStateOffset, &seed, 8);
}

RtlSystem::~RtlSystem() {
  close_pipeline_trace();
  try {
    close_wave();
  } catch (const Error&) {
    // A destructor cannot report the failed VCD conversion; close_wave() callers see it.
  }
}

void RtlSystem::open_pipeline_trace(const std::string& path) {
  close_pipeline_trace();
  pipeline_file_ = std::make_unique<std::ofstream>(path);
  if (!*pipeline_file_) throw Error(fmt::format("cannot write the pipeline trace '{}'", path));
  pipeline_trace_ = std::make_unique<wave::KanataWriter>(*pipeline_file_, image_, config_.contexts);
  pipeline_observer_ = std::make_unique<RtlKanataObserver>(*pipeline_trace_);
  observers_.push_back(pipeline_observer_.get());
}

void RtlSystem::close_pipeline_trace() {
  if (!pipeline_trace_) return;
  pipeline_trace_->finish();
  std::erase(observers_, pipeline_observer_.get());
  pipeline_observer_.reset();
  pipeline_trace_.reset();
  pipeline_file_.reset();
}

void RtlSystem::open_wave(const WaveOptions& options) {
  close_wave();
  if (!cores_[0]->traceable()) {
    if (cycle_ != 0)
      throw Error(fmt::format(
          "a waveform of the RTL core opened at cycle {} needs the system built with tracing",
          cycle_));
    cores_[0] = std::make_unique<RtlCore>(0, image_, true);  // nothing has run yet
  }
  wave_ = options;
  // The core writes FST; a VCD is converted from it when the waveform closes.
  cores_[0]->open_trace(wave::native_dump_path(options, WaveFormat::Fst), config_.clock_hz);
  cores_[0]->set_trace_enabled(cycle_ >= wave_.from_cycle && cycle_ < wave_.to_cycle);
  wave::GtkwLayout layout = rtl_wave_layout();
  layout.dump_file = std::filesystem::path(options.path).filename().string();
  layout.filter_path = options.filter_path;
  wave::write_gtkw(wave::gtkw_path_for(options.path), layout);
}

void RtlSystem::close_wave() {
  if (cores_.empty() || !cores_[0]->tracing()) return;
  cores_[0]->close_trace();
  const WaveOptions options = wave_;
  wave_ = WaveOptions{};
  wave::finish_dump(options, WaveFormat::Fst);
}

void RtlSystem::submit(PacketJob* job) {
  job->done = false;
  if (job->outcome == nullptr) throw Error("a packet job was submitted without an outcome");
  *job->outcome = model::PacketOutcome{};
  input_.push_back(job);
  ++in_flight_;
}

uint32_t RtlSystem::transfer_cycles(size_t bytes) const {
  const size_t b = config_.dispatch_bytes_per_cycle;
  return static_cast<uint32_t>(std::max<size_t>(1, (bytes + b - 1) / b));
}

void RtlSystem::start_context(uint32_t core, uint32_t c) {
  Context& ctx = contexts_[core][c];
  ctx.phase = ContextPhase::Running;
  // The stack's valid bits are cleared at dispatch: the bytes written since the last clear
  // (stores and helpers note them as the memory translates their addresses), as the model does.
  ctx.clear_stack();
  ctx.sync_packet_pointers();
  ctx.deadline = cycle_ + config_.max_cycles_per_packet;
  note_context_check(ctx.deadline - 1);
  ctx.stats.start_cycle = cycle_;
  ctx.redirect = ebpf::RedirectTarget{};
  ctx.result = ebpf::ExecutionResult{};
  stall_counts_[core][c].fill(0);
  helpers_.start_packet(ctx);
}

void RtlSystem::activate_and_release() {
  next_phase_change_ = UINT64_MAX;
  for (uint32_t core = 0; core < contexts_.size(); ++core) {
    for (uint32_t c = 0; c < contexts_[core].size(); ++c) {
      Context& ctx = contexts_[core][c];
      if (ctx.phase == ContextPhase::Loading && ctx.start_cycle > cycle_) {
        note_phase_change(ctx.start_cycle);
      } else if (ctx.phase == ContextPhase::Draining && ctx.release_cycle > cycle_) {
        note_phase_change(ctx.release_cycle);
      } else if (ctx.phase == ContextPhase::Loading && ctx.start_cycle == cycle_) {
        start_context(core, c);
      } else if (ctx.phase == ContextPhase::Draining && ctx.release_cycle == cycle_) {
        ctx.phase = ContextPhase::Free;
        ++free_contexts_;
        ctx.stats.release_cycle = cycle_;
        PacketJob* job = ctx.job;
        job->outcome->result = std::move(ctx.result);  // start_context resets it
        job->outcome->redirect = ctx.redirect;
        job->outcome->stats = ctx.stats;
        job->done = true;
        ctx.job = nullptr;
        ctx.frame = nullptr;
        --in_flight_;
      }
    }
  }
}

// A program reads its packet a few cycles after the dispatcher writes it, and the dispatcher
// reads the next frame's fields one dispatch later: both are cache (and TLB) misses per packet
// otherwise, frames being in memory the traffic source wrote, each buffer on a page of its own.
// Called as the front job is dispatched, it asks the host to fetch this packet's first bytes,
// the next packet's (whose frame was requested one dispatch ago) and the frame after that.
void RtlSystem::prefetch_frames() const {
  __builtin_prefetch(input_[0]->frame->data());
  if (input_.size() > 1) __builtin_prefetch(input_[1]->frame->data());
  if (input_.size() > 2) __builtin_prefetch(input_[2]->frame);
}

// Runs before the cores within a cycle: it only looks at contexts freed at the start of the
// cycle, so the order gives the model's outcome, and a packet dispatched now whose transfer
// takes one cycle can be announced to its core in time (the core loads a context at the end
// of the cycle before it starts).
void RtlSystem::run_dispatcher() {
  while (cycle_ >= dispatch_free_ && !input_.empty() && input_.front()->arrival_cycle <= cycle_) {
    PacketJob* job = input_.front();
    ebpf::XdpFrame* frame = job->frame;
    if (!front_fits_ && (frame->length() > firmware::kMaxPacketLength ||
                         frame->headroom() != firmware::kPacketHeadroom ||
                         frame->buffer().size() != firmware::kPacketBufferSize)) {
      input_.pop_front();
      *job->outcome = model::PacketOutcome{};
      job->outcome->result.aborted = true;
      job->outcome->result.diagnostic =
          fmt::format("packet of {} bytes does not fit the NIC's {}-byte packet buffer",
                      frame->length(), firmware::kMaxPacketLength);
      job->outcome->stats.dispatch_cycle = job->outcome->stats.start_cycle = cycle_;
      job->outcome->stats.exit_cycle = job->outcome->stats.release_cycle = cycle_;
      job->done = true;
      --in_flight_;
      continue;
    }
    front_fits_ = true;
    const auto n = static_cast<uint32_t>(cores_.size());
    for (uint32_t i = 1; i <= n; ++i) {
      const uint32_t core = (last_core_ + i) % n;
      for (uint32_t c = 0; c < contexts_[core].size(); ++c) {
        Context& ctx = contexts_[core][c];
        if (ctx.phase != ContextPhase::Free) continue;
        const uint32_t w = transfer_cycles(frame->length());
        ctx.phase = ContextPhase::Loading;
        ctx.start_cycle = cycle_ + w;
        note_phase_change(ctx.start_cycle);
        note_context_check(ctx.start_cycle - 1);
        ctx.frame = frame;
        ctx.job = job;
        prefetch_frames();
        ctx.stats = model::PacketStats{};
        ctx.stats.core = core;
        ctx.stats.context = c;
        ctx.stats.dispatch_cycle = cycle_;
        ctx.time_ns = job->time_ns;
        ctx.cpu_id = runtime_.cpu();
        ctx.ingress_ifindex = frame->context()->ingress_ifindex;
        ctx.rx_queue_index = frame->context()->rx_queue_index;
        dispatch_free_ = cycle_ + w;
        last_core_ = core;
        input_.pop_front();
        front_fits_ = false;
        --free_contexts_;
        return;
      }
    }
    return;
  }
}

void RtlSystem::end_packet(uint32_t core, uint32_t c, uint64_t cycle, uint64_t r0, bool aborted,
                           std::string diagnostic) {
  Context& ctx = contexts_[core][c];
  ctx.result.return_value = r0;
  ctx.result.aborted = aborted;
  ctx.result.diagnostic = std::move(diagnostic);
  ctx.result.instructions = ctx.stats.ebpf_instructions;
  ctx.stats.exit_cycle = cycle;
  std::copy_n(stall_counts_[core][c].begin(), ctx.stats.stalls.size(), ctx.stats.stalls.begin());
  ctx.phase = ContextPhase::Draining;
  const ebpf::XdpAction action = ebpf::xdp_action_of(ctx.result);
  ctx.release_cycle = UINT64_MAX;
  if (action == ebpf::XdpAction::Pass || action == ebpf::XdpAction::Tx ||
      action == ebpf::XdpAction::Redirect) {
    output_.emplace_back(core, c);
  } else {
    ctx.release_cycle = cycle_ + 1;  // a budget abort ends the packet in the cycle before
    note_phase_change(ctx.release_cycle);
  }
}

void RtlSystem::run_output_engine() {
  const auto [core, c] = output_.front();
  Context& ctx = contexts_[core][c];
  if (ctx.stats.exit_cycle >= cycle_) return;
  output_.pop_front();
  const size_t length = ctx.frame->length() + ctx.frame->meta_length();
  const uint32_t w = transfer_cycles(length);
  output_free_ = cycle_ + w;
  ctx.release_cycle = cycle_ + w;
  note_phase_change(ctx.release_cycle);
}

template <typename Ports>
[[gnu::always_inline]] inline void RtlSystem::answer_ports(uint32_t core, Ports& rtl,
                                                           PortRequests& ports) {
  Context& ctx = contexts_[core][rtl.memory_context()];
  for (uint32_t p = 0; p < kRtlMemPorts; ++p) {
    const MemoryRequest& req = ports.requests[p];
    if (!req.valid) continue;
    uint8_t* host = memory_.translate(ctx, req.address, req.size, req.write);
    if (host == nullptr && !req.map)
      throw Error(
          fmt::format("RTL core {}: the core passed an access the memory refuses: {} bytes "
                      "at 0x{:x} (context {})",
                      core, req.size, req.address, rtl.memory_context()));
    ports.hosts[p] = host;
    rtl.set_memory_response(p, host ? model::load_le(host, req.size) : 0, host == nullptr);
  }
  if (rtl.helper_valid()) {
    const uint32_t c = rtl.helper_context();
    Context& hctx = contexts_[core][c];
    uint64_t args[5];
    for (uint32_t i = 0; i < 5; ++i)
      args[i] = rtl.helper_argument(i);
    model::HelperResult result = helpers_.call(rtl.helper_id(), args, hctx);
    rtl.set_helper_response(result.r0, result.latency, result.fault, hctx.pkt_data, hctx.pkt_end,
                            hctx.pkt_meta);
    if (result.fault) hctx.result.diagnostic = std::move(result.diagnostic);
  }
}

template <bool kWatched, typename Ports>
[[gnu::always_inline]] inline void RtlSystem::retire(uint32_t core, Ports& rtl,
                                                     const RetiredBundle& bundle,
                                                     const PortRequests& ports) {
  const uint32_t c = bundle.context;
  Context& ctx = contexts_[core][c];
  ++ctx.stats.bundles;
  WrittenData written{};
  if (bundle.commit) {
    ctx.stats.ebpf_instructions += bundle_ebpf_[bundle.address];
    for (uint32_t p = 0; p < kRtlMemPorts; ++p) {
      const MemoryRequest& req = ports.requests[p];
      if (!req.valid || !req.write) continue;
      written[p] = rtl.retired_write_data(p);
      model::store_le(ports.hosts[p], req.size, written[p]);
    }
  }
  if (bundle.end) {
    std::string diagnostic;
    if (bundle.fault) {
      diagnostic = ctx.result.diagnostic.empty()
                       ? fmt::format("bounds fault in bundle {} (RTL core {} context {})",
                                     bundle.address, core, c)
                       : ctx.result.diagnostic;
    }
    end_packet(core, c, cycle_, bundle.r0, bundle.fault, std::move(diagnostic));
  }
  if (kWatched && !observers_.empty()) report_retire(core, bundle, ports, written);
}

void RtlSystem::report_retire(uint32_t core, const RetiredBundle& bundle, const PortRequests& ports,
                              const WrittenData& written) {
  RtlRetire record;
  record.cycle = cycle_;
  record.core = static_cast<uint16_t>(core);
  record.context = static_cast<uint8_t>(bundle.context);
  record.address = static_cast<uint16_t>(bundle.address);
  if (bundle.commit) {
    for (uint32_t p = 0; p < kRtlMemPorts; ++p) {
      const MemoryRequest& req = ports.requests[p];
      if (!req.valid || !req.write) continue;
      record.memory_writes[record.memory_write_count++] = {
          req.address, static_cast<uint8_t>(req.size), written[p]};
    }
  }
  if (bundle.end) {
    record.ends_packet = true;
    record.fault = bundle.fault;
    record.return_value = bundle.r0;
  }
  for (RtlObserver* o : observers_)
    o->on_retire(record);
}

namespace {

constexpr uint32_t kStallWords = 1u << (3 * kRtlContexts);

// Each context's stall code in a stall word of nic_core's bit planes (stall_o): bit k of
// context c's code at k * kRtlContexts + c. Looked up per cycle rather than gathered from the
// planes bit by bit (three shifts and masks per context, about 35 host instructions a cycle).
constexpr auto kStallCodes = [] {
  std::array<std::array<uint8_t, kRtlContexts>, kStallWords> codes{};
  for (uint32_t word = 0; word < kStallWords; ++word) {
    for (uint32_t c = 0; c < kRtlContexts; ++c) {
      uint32_t code = 0;
      for (uint32_t k = 0; k < 3; ++k)
        code |= ((word >> (k * kRtlContexts + c)) & 1) << k;
      codes[word][c] = static_cast<uint8_t>(code);
    }
  }
  return codes;
}();

}  // namespace

[[gnu::always_inline]] inline void RtlSystem::count_stalls(uint32_t core, uint32_t stall_bits) {
  static_assert(static_cast<uint32_t>(RtlStall::None) == 7,
                "RtlStall::None sets every bit of a context's field");
  if (stall_bits == kStallWords - 1) return;  // no context stalls
  auto& counts = stall_counts_[core];
  const std::array<uint8_t, kRtlContexts>& codes = kStallCodes[stall_bits & (kStallWords - 1)];
  for (uint32_t c = 0; c < kRtlContexts; ++c)
    ++counts[c][codes[c]];
}

// run_core, retire and count_stalls run every cycle: they are inlined into the cycle loop, which
// saves their calls' register spills (about 60 host instructions per cycle). answer_ports, which
// runs in the cycles with a memory access or a helper call, is inlined too: called, its
// prologue and epilogue cost about 30 instructions per call (rtlspeed19: 14 fewer instructions
// per cycle on xdp_firewall and xdp_load_balancer, 7 more on xdp1_kern, which has fewer accesses).
template <bool kWatched, typename Ports>
[[gnu::always_inline]] inline void RtlSystem::run_core(uint32_t core, Ports& rtl,
                                                       bool& helper_taken) {
  RtlCore& rtl_core = *cores_[core];
  auto& contexts = contexts_[core];

  StartInputs start;
  bool starting = false;
  uint32_t abort_mask = 0;
  // Contexts are looked at only from the cycle before one starts or reaches its deadline.
  const bool check_contexts = cycle_ >= next_context_check_;
  if (check_contexts) next_context_check_ = UINT64_MAX;
  for (uint32_t c = 0; check_contexts && c < contexts.size(); ++c) {
    Context& ctx = contexts[c];
    if (ctx.phase == ContextPhase::Loading && ctx.start_cycle > cycle_ + 1)
      note_context_check(ctx.start_cycle - 1);
    if (ctx.phase == ContextPhase::Running && ctx.deadline > cycle_)
      note_context_check(std::max(ctx.deadline - 1, cycle_ + 1));
    if (ctx.phase == ContextPhase::Loading && ctx.start_cycle == cycle_ + 1) {
      starting = true;
      start.context = c;
      const auto data = static_cast<uint32_t>(ctx.frame->headroom());
      start.pkt_data = firmware::kPacketBase + data;
      start.pkt_end = start.pkt_data + static_cast<uint32_t>(ctx.frame->length());
      start.pkt_meta = start.pkt_data - static_cast<uint32_t>(ctx.frame->meta_length());
      start.ingress_ifindex = ctx.ingress_ifindex;
      start.rx_queue_index = ctx.rx_queue_index;
      start.cpu_id = ctx.cpu_id;
      start.time_ns = ctx.time_ns;
    }
    // The core stops a context at the end of the cycle abort_i is given in: the last cycle
    // before the deadline. (Should the packet end in that cycle anyway, nothing is aborted.)
    if (ctx.phase == ContextPhase::Running && cycle_ + 1 >= ctx.deadline) abort_mask |= 1u << c;
    if (ctx.phase == ContextPhase::Running && cycle_ >= ctx.deadline) {
      end_packet(core, c, cycle_ - 1, rtl.context_r0(c), true,
                 fmt::format("cycle budget of {} cycles exhausted", config_.max_cycles_per_packet));
      if (kWatched) {
        for (RtlObserver* o : observers_)
          o->on_abort(cycle_ - 1, static_cast<uint16_t>(core), static_cast<uint8_t>(c));
      }
    }
  }
  rtl.set_cycle_inputs(starting ? &start : nullptr, abort_mask, helper_taken);
  if (kWatched && starting) {
    for (RtlObserver* o : observers_)
      o->on_packet_start(
          {cycle_ + 1, static_cast<uint16_t>(core), static_cast<uint8_t>(start.context)});
  }

  // The requests on the memory and helper ports, the stall reasons and the contexts' state
  // depend on the core's state only (no combinational path runs from start_i, abort_i or,
  // without the arbiter, helper_busy_i into issue), so the values the clock edge left are this
  // cycle's. What depends on the answers is read after the next edge (the retired bundle,
  // registered in nic_top) or, for observers and waveforms only, after a settle().
  PortRequests ports;
  const uint32_t pending = rtl.pending_requests();
  if (pending != 0) {
    for (uint32_t p = 0; p < kRtlMemPorts; ++p) {
      if ((pending >> p) & 1) ports.requests[p] = rtl.memory_request(p);
    }
    answer_ports(core, rtl, ports);
    if ((pending >> kRtlMemPorts) & 1) helper_taken = true;
  }

  count_stalls(core, rtl.stall_bits());
  bool fetched = false;
  uint32_t fetch_context = 0, fetch_address = 0;
  if (kWatched && (!observers_.empty() || rtl_core.tracing())) {
    rtl_core.settle();
    for (uint32_t p = 0; p < kRtlWritePorts; ++p) {
      const RegisterWritePort w = rtl.register_write(p);
      if (!w.valid) continue;
      const RtlRegisterWrite write{cycle_, static_cast<uint16_t>(core),
                                   static_cast<uint8_t>(w.context), static_cast<uint8_t>(w.reg),
                                   w.value};
      for (RtlObserver* o : observers_)
        o->on_register_write(write);
    }
    fetched = rtl.fetch_valid();
    fetch_context = rtl.fetch_context();
    fetch_address = rtl.fetch_address();
  }
  rtl_core.clock_edge(rtl);
  if (rtl.retired_valid()) retire<kWatched>(core, rtl, rtl.retired(), ports);
  // Issue comes before fetch within a cycle: a context may fetch its next bundle in the cycle
  // its buffered one issues.
  if (kWatched && fetched) {
    for (RtlObserver* o : observers_)
      o->on_fetch(cycle_, static_cast<uint16_t>(core), static_cast<uint8_t>(fetch_context),
                  static_cast<uint16_t>(fetch_address));
  }
}

bool RtlSystem::watched() const {
  if (!observers_.empty() || !wave_.path.empty()) return true;
  for (const auto& core : cores_) {
    if (core->tracing()) return true;
  }
  return false;
}

template <bool kWatched, typename RunCores>
void RtlSystem::cycle_with(RunCores&& run_cores) {
  if (kWatched && !wave_.path.empty())
    cores_[0]->set_trace_enabled(cycle_ >= wave_.from_cycle && cycle_ < wave_.to_cycle);
  // Each part's "nothing to do this cycle" is tested here, in the loop, rather than in a call.
  if (cycle_ >= next_phase_change_) activate_and_release();
  // The front packet fits (checked once) and waits for a free context.
  const bool waiting_for_context = front_fits_ && free_contexts_ == 0;
  if (!waiting_for_context) run_dispatcher();
  run_cores();
  if (cycle_ >= output_free_ && !output_.empty()) run_output_engine();
  if (kWatched) {
    for (RtlObserver* o : observers_)
      o->on_cycle_end(cycle_);
  }
  ++cycle_;
}

void RtlSystem::step() {
  cycle_with<true>([&] {
    bool helper_taken = false;
    for (uint32_t core = 0; core < cores_.size(); ++core)
      cores_[core]->with_ports([&](auto& ports) { run_core<true>(core, ports, helper_taken); });
  });
}

void RtlSystem::run_until_idle() {
  if (cores_.size() != 1) {
    while (busy())
      step();
    return;
  }
  // One core: its build, and whether anything watches the run, are chosen once for the whole
  // run, not at every cycle.
  const auto run = [&]<bool kWatched>() {
    cores_[0]->with_ports([&](auto& ports) {
      while (busy()) {
        // Inlined like run_core: GCC otherwise calls the lambda once per cycle.
        cycle_with<kWatched>([&] [[gnu::always_inline]] {
          bool helper_taken = false;
          run_core<kWatched>(0, ports, helper_taken);
        });
      }
    });
  };
  if (watched())
    run.template operator()<true>();
  else
    run.template operator()<false>();
}

}  // namespace nicsim::rtl
