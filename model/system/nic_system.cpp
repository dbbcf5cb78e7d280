#include "model/system/nic_system.h"

#include <fmt/format.h>

#include <cstring>

#include "ebpf/util/error.h"
#include "firmware/routines/routines.h"
#include "model/core/decoded_program.h"
#include "model/core/helper_units.h"
#include "model/memory/address_space.h"
#include "model/memory/map_memory.h"

namespace nicsim::model {

struct NicSystem::Units {
  Units(const firmware::Image& image, ebpf::Runtime& runtime, const ModelConfig& config)
      : program(image, config.latency),
        maps(image, runtime),
        memory(maps),
        helpers(runtime, memory, config.latency) {}
  DecodedProgram program;
  MapMemory maps;
  AddressSpace memory;
  HelperUnits helpers;
};

NicSystem::NicSystem(firmware::Image image, ebpf::Runtime& runtime, ModelConfig config)
    : image_(std::move(image)), runtime_(runtime), config_(config), last_core_(config.cores - 1) {
  validate_config(config_);
  transfer_width_ = ConstantDivisor(config_.dispatch_bytes_per_cycle);
  units_ = std::make_unique<Units>(image_, runtime_, config_);
  std::vector<ebpf::MemoryRegion> stacks;
  for (uint32_t i = 0; i < config_.cores; ++i) {
    cores_.push_back(
        std::make_unique<Core>(i, units_->program, config_, units_->memory, units_->helpers));
    for (ContextState& ctx : cores_.back()->contexts()) {
      const auto begin = reinterpret_cast<uint64_t>(ctx.stack.data());
      stacks.push_back({begin, begin + ctx.stack.size(), true, ebpf::RegionKind::Stack});
      ++free_contexts_;
    }
    free_mask_.push_back((1u << config_.contexts) - 1);  // validate_config: at most 16
    transition_mask_.push_back(0);
  }
  // Helpers read keys and values from the contexts' stacks.
  runtime_.set_regions(std::move(stacks));
  // The host seeds get_prandom_u32's state as the runtime seeds its own generator.
  const uint64_t seed = runtime_.config().prandom_seed ? runtime_.config().prandom_seed : 1;
  std::memcpy(units_->memory.firmware_data().data() + firmware::kPrandomStateOffset, &seed, 8);
}

NicSystem::~NicSystem() = default;

void NicSystem::set_observer(RetireObserver* observer) {
  observer_ = observer;
  for (auto& core : cores_)
    core->set_observer(observer);
}

void NicSystem::submit(PacketJob* job) {
  job->done = false;
  if (job->outcome == nullptr) throw Error("a packet job was submitted without an outcome");
  *job->outcome = PacketOutcome{};
  const ebpf::XdpFrame* frame = job->frame;
  const bool fits = frame->length() <= firmware::kMaxPacketLength &&
                    frame->headroom() == firmware::kPacketHeadroom &&
                    frame->buffer().size() == firmware::kPacketBufferSize;
  input_.push_back({job, fits});
  ++in_flight_;
}

// Inlined into the run loop (as are handle_exit and the output engine): every packet passes
// through them, and a call costs its register saves.
[[gnu::always_inline]] inline void NicSystem::activate_and_release() {
  if (cycle_ < next_transition_) return;
  next_transition_ = UINT64_MAX;
  for (uint32_t core = 0; core < cores_.size(); ++core) {
    auto& contexts = cores_[core]->contexts();
    for (uint32_t mask = transition_mask_[core]; mask; mask &= mask - 1) {
      const auto c = static_cast<uint32_t>(__builtin_ctz(mask));
      ContextState& ctx = contexts[c];
      if (ctx.phase == ContextPhase::Loading) {
        if (ctx.start_cycle == cycle_) {
          cores_[core]->start_context(c, cycle_);
          transition_mask_[core] &= ~(1u << c);
        } else {
          next_transition_ = std::min(next_transition_, ctx.start_cycle);
        }
      } else if (ctx.release_cycle == cycle_) {  // Draining
        ctx.phase = ContextPhase::Free;
        ++free_contexts_;
        free_mask_[core] |= 1u << c;
        transition_mask_[core] &= ~(1u << c);
        ctx.stats.release_cycle = cycle_;
        PacketJob* job = ctx.job;
        job->outcome->result = std::move(ctx.result);  // start_context resets it
        job->outcome->redirect = ctx.redirect;
        job->outcome->stats = ctx.stats;
        job->done = true;
        ctx.job = nullptr;
        ctx.frame = nullptr;
        --in_flight_;
      } else {
        next_transition_ = std::min(next_transition_, ctx.release_cycle);
      }
    }
  }
}

[[gnu::always_inline]] inline void NicSystem::handle_exit(Core& core, uint32_t c) {
  ContextState& ctx = core.contexts()[c];
  transition_mask_[core.index()] |= 1u << c;  // Draining
  const ebpf::XdpAction action = ebpf::xdp_action_of(ctx.result);
  ctx.release_cycle = UINT64_MAX;
  if (action == ebpf::XdpAction::Pass || action == ebpf::XdpAction::Tx ||
      action == ebpf::XdpAction::Redirect) {
    output_.emplace_back(core.index(), c);
  } else {
    ctx.release_cycle = cycle_ + 1;
    next_transition_ = std::min(next_transition_, ctx.release_cycle);
  }
}

[[gnu::always_inline]] inline void NicSystem::run_output_engine() {
  if (cycle_ < output_free_ || output_.empty()) return;
  const auto [core, c] = output_.front();
  ContextState& ctx = cores_[core]->contexts()[c];
  if (ctx.stats.exit_cycle >= cycle_) return;  // exited this cycle: read from the next one
  output_.pop_front();
  const size_t length = ctx.frame->length() + ctx.frame->meta_length();
  const uint32_t w = transfer_cycles(length);
  output_free_ = cycle_ + w;
  ctx.release_cycle = cycle_ + w;
  next_transition_ = std::min(next_transition_, ctx.release_cycle);
}

void NicSystem::run_dispatcher() {
  // Most cycles: packets wait and every context is busy.
  if (free_contexts_ == 0 && (input_.empty() || input_.front().fits)) return;
  while (cycle_ >= dispatch_free_ && !input_.empty() &&
         input_.front().job->arrival_cycle <= cycle_) {
    PacketJob* job = input_.front().job;
    ebpf::XdpFrame* frame = job->frame;
    if (!input_.front().fits) {
      // The MAC hands the NIC no such frame: dropped before any context sees it.
      input_.pop_front();
      *job->outcome = PacketOutcome{};
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
    // Every cycle with packets waiting comes here: without a free context, nothing to scan.
    if (free_contexts_ == 0) return;
    const uint32_t n = static_cast<uint32_t>(cores_.size());
    for (uint32_t i = 1; i <= n; ++i) {
      const uint32_t core = last_core_ + i < n ? last_core_ + i : last_core_ + i - n;
      if (free_mask_[core] != 0) {
        const auto c = static_cast<uint32_t>(__builtin_ctz(free_mask_[core]));
        ContextState& ctx = cores_[core]->contexts()[c];
        free_mask_[core] &= ~(1u << c);
        transition_mask_[core] |= 1u << c;
        const uint32_t w = transfer_cycles(frame->length());
        ctx.phase = ContextPhase::Loading;
        --free_contexts_;
        ctx.start_cycle = cycle_ + w;
        next_transition_ = std::min(next_transition_, ctx.start_cycle);
        ctx.frame = frame;
        ctx.job = job;
        ctx.stats = fresh_stats_;
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
        return;
      }
    }
    return;  // no free context
  }
}

// Inlined into run_until_idle's loop: a call per simulated cycle costs its register saves.
[[gnu::always_inline]] inline void NicSystem::step_cycle() {
  // The checks that leave each stage idle in most cycles are made here, inline.
  if (cycle_ >= next_transition_) activate_and_release();
  SharedUnits shared;
  active_ = false;
  for (auto& core : cores_) {
    if (core->idle()) continue;
    active_ |= core->step(cycle_, shared, exits_);
    if (exits_.empty()) continue;
    for (uint32_t c : exits_)
      handle_exit(*core, c);
    exits_.clear();
  }
  if (!output_.empty() && cycle_ >= output_free_) run_output_engine();
  // The dispatcher has nothing to do while packets wait behind busy contexts.
  if (!input_.empty() && (free_contexts_ > 0 || !input_.front().fits)) run_dispatcher();
  if (observer_ != nullptr) [[unlikely]]
    report_cycle();
  ++cycle_;
}

void NicSystem::step() {
  step_cycle();
}

void NicSystem::report_cycle() {
  for (auto& core : cores_)
    observer_->on_cycle_end(cycle_, static_cast<uint16_t>(core->index()), core->contexts());
}

uint64_t NicSystem::quiet_cycles() const {
  // The next cycle at which anything can change; cycle_ itself is the next one to step.
  uint64_t next = UINT64_MAX;
  const bool free_context = free_contexts_ > 0;
  for (const auto& core : cores_) {
    if (!core->idle()) next = std::min(next, core->next_activity(cycle_ - 1));
  }
  // No later than any Loading context's start or Draining context's release.
  next = std::min(next, next_transition_);
  if (!output_.empty()) next = std::min(next, std::max(output_free_, cycle_));
  if (!input_.empty() && free_context)
    next = std::min(next, std::max({dispatch_free_, input_.front().job->arrival_cycle, cycle_}));
  return next == UINT64_MAX || next <= cycle_ ? 0 : next - cycle_;
}

void NicSystem::run_until_idle() {
  while (busy()) {
    step_cycle();
    if (active_) continue;  // a cycle in which bundles move is rarely followed by quiet ones
    if (observer_ != nullptr && observer_->wants_every_cycle()) continue;
    if (const uint64_t quiet = quiet_cycles(); quiet > 0) {
      for (auto& core : cores_)
        core->skip(cycle_, quiet);
      cycle_ += quiet;
    }
  }
}

}  // namespace nicsim::model
