#pragma once
// One NIC core (docs/nic-isa.md sections 5-7): K contexts, fetch and issue selection, the
// scoreboard, bundle execution with bounds checks, and stall attribution. Stepped one cycle
// at a time by the NIC system; nothing here allocates or formats text on the per-cycle path
// except when a packet faults.

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "model/config.h"
#include "model/core/context.h"
#include "model/core/decoded_program.h"
#include "model/core/helper_units.h"
#include "model/memory/address_space.h"
#include "model/observer.h"

namespace nicsim::model {

// Units shared by all cores, arbitrated per cycle in core order.
struct SharedUnits {
  bool helper_port_taken = false;
};

class Core {
 public:
  Core(uint32_t index, const DecodedProgram& program, const ModelConfig& config,
       AddressSpace& memory, HelperUnits& helpers);

  // Issue (at most one bundle), fetch (at most one bundle) and stall attribution for `cycle`.
  // Indices of contexts whose packet ended in this cycle are appended to `exits`. Returns
  // whether a bundle issued or was fetched.
  // Inline: it runs every cycle, and the default shape gets loops of a constant length, which
  // the compiler unrolls (no loop exits for the host to predict while contexts interleave);
  // that shape's passes are inlined into the caller's loop as a whole (no call and register
  // saves per cycle), other shapes call step_any_shape.
  bool step(uint64_t cycle, SharedUnits& shared, std::vector<uint32_t>& exits) {
    if (config_.contexts == 4) return step_contexts<4>(cycle, shared, exits);
    return step_any_shape(cycle, shared, exits);
  }

  // Prepares context `c` (Loading -> Running) at `cycle`.
  void start_context(uint32_t c, uint64_t cycle);

  std::vector<ContextState>& contexts() { return contexts_; }
  uint32_t index() const { return index_; }
  void set_observer(RetireObserver* observer) { observer_ = observer; }
  // True when no context of the core is running.
  bool idle() const { return running_ == 0; }
  // The earliest cycle after `cycle` at which the state of a running context may change (it
  // may issue or fetch, or the cause of its stall changes): cycles before it can be skipped.
  uint64_t next_activity(uint64_t cycle) const;
  // Accounts `count` cycles from `first` in which nothing happens (see next_activity).
  void skip(uint64_t first, uint64_t count);

 private:
  // Why `ctx` (running) cannot issue in `cycle`, in attribution priority order; nullopt when it
  // can. Consumes the reason its fetch buffer is empty.
  std::optional<StallCause> blocking_cause(ContextState& ctx, uint64_t cycle,
                                           bool helper_port_taken) const;
  // step() for `kContexts` contexts (0: config_.contexts).
  template <uint32_t kContexts>
  bool step_contexts(uint64_t cycle, SharedUnits& shared, std::vector<uint32_t>& exits);
  // step_contexts<0>, out of line: shapes other than the default.
  bool step_any_shape(uint64_t cycle, SharedUnits& shared, std::vector<uint32_t>& exits);
  void check_deadlines(uint64_t cycle, std::vector<uint32_t>& exits);
  void execute(uint32_t c, const MicroBundle& bundle, uint64_t cycle, SharedUnits& shared,
               std::vector<uint32_t>& exits);
  // A movs operation's value: special register `which` of context `c`.
  uint64_t special_register(const ContextState& ctx, uint32_t c, int32_t which,
                            uint64_t cycle) const;
  void record_reads(ContextState& ctx, const MicroBundle& bundle, int lanes,
                    BundleRetire& record) const;
  // The packet on context `c` ends with the bundle issued at `cycle` (start_context reset its
  // result to a normal exit).
  void end_packet(uint32_t c, uint64_t cycle, uint64_t r0, std::vector<uint32_t>& exits);
  void abort_packet(uint32_t c, uint64_t cycle, uint64_t r0, std::string diagnostic,
                    std::vector<uint32_t>& exits);
  uint32_t region_load_latency(firmware::Region region) const;

  uint32_t index_;
  const DecodedProgram& program_;
  const ModelConfig& config_;
  AddressSpace& memory_;
  HelperUnits& helpers_;
  RetireObserver* observer_ = nullptr;
  std::vector<ContextState> contexts_;
  // The contexts in round-robin order after each one: rr_order_[c * K + i] is context
  // (c + 1 + i) mod K with its index and the start of its own row, so that a pass is a walk
  // over a table with no index arithmetic, and the winner's row is where the next pass starts.
  struct RoundRobinEntry {
    ContextState* ctx;
    const RoundRobinEntry* row_after;
    uint32_t index;
  };
  std::vector<RoundRobinEntry> rr_order_;
  const RoundRobinEntry* issue_order_;  // the row after the context that issued last
  const RoundRobinEntry* fetch_order_;  // the row after the context that fetched last
  uint64_t divider_free_ = 0;
  uint32_t running_ = 0;  // running contexts
  BundleRetire retire_scratch_;
  uint64_t next_deadline_ = UINT64_MAX;  // earliest cycle budget of a running context
  // r0..r13 as every packet starts them, before the packet pointers (and a raw entry's r1, r2)
  // are set: copied, because the compiler turns zeroing them into a `rep stos`, which is slow
  // to start for so few bytes.
  std::array<uint64_t, firmware::kNumOperandRegisters> initial_regs_{};
  // A load's latency by firmware::Region, resolved once from the configuration.
  std::array<uint32_t, static_cast<size_t>(firmware::Region::Invalid) + 1> load_latency_{};
};

// Inline: it runs for every running context in every cycle.
[[gnu::always_inline]] inline std::optional<StallCause> Core::blocking_cause(
    ContextState& ctx, uint64_t cycle, bool helper_port_taken) const {
  if (cycle < ctx.blocked_until) return StallCause::Helper;
  if (ctx.fb_valid) {
    const MicroBundle& mb = *ctx.fb;
    if (mb.shared_unit &&
        ((mb.divider && cycle < divider_free_) || (mb.hcall && helper_port_taken))) [[unlikely]]
      return StallCause::Unit;
    if (cycle < ctx.operands_ready) return StallCause::Data;
    return std::nullopt;
  }
  const StallCause cause = ctx.empty_cause;
  ctx.empty_cause = StallCause::Fetch;
  return cause;
}

template <uint32_t kContexts>
[[gnu::always_inline]] inline bool Core::step_contexts(uint64_t cycle, SharedUnits& shared,
                                                       std::vector<uint32_t>& exits) {
  if (running_ == 0) return false;
  if (cycle >= next_deadline_) check_deadlines(cycle, exits);
  const uint32_t k = kContexts != 0 ? kContexts : config_.contexts;

  // Issue: the first ready context after the one that issued last. Every other running
  // context is charged its stall in the same pass.
  const RoundRobinEntry* issued = nullptr;
  for (uint32_t i = 0; i < k; ++i) {
    const RoundRobinEntry& entry = issue_order_[i];
    ContextState& ctx = *entry.ctx;
    if (ctx.phase != ContextPhase::Running) continue;
    std::optional<StallCause> cause = blocking_cause(ctx, cycle, shared.helper_port_taken);
    if (!cause) {
      if (issued == nullptr) {
        issued = &entry;
        continue;
      }
      cause = StallCause::Issue;  // ready, but another context issued
    }
    ++ctx.stats.stalls[static_cast<size_t>(*cause)];
  }
  ContextState* resolved = nullptr;  // its control bundle issued: it fetches from cycle + 1
  if (issued != nullptr) {
    issue_order_ = issued->row_after;
    ContextState& ctx = *issued->ctx;
    ctx.fb_valid = false;
    const MicroBundle& mb = *ctx.fb;
    if (mb.control) resolved = &ctx;
    execute(issued->index, mb, cycle, shared, exits);
  }

  // Fetch: the first context after the one that fetched last whose fetch buffer is free and
  // whose next bundle address is known.
  bool fetched = false;
  const uint32_t register_list_length = program_.register_list_length();
  const RoundRobinEntry* const fetch_order = fetch_order_;
  for (uint32_t i = 0; i < k; ++i) {
    const RoundRobinEntry& entry = fetch_order[i];
    ContextState& ctx = *entry.ctx;
    if (ctx.phase != ContextPhase::Running || ctx.fetch_stop || ctx.fb_valid) continue;
    ctx.fb_valid = true;
    ctx.fb_addr = ctx.fetch_pc++;
    ctx.fb = &program_.bundle(ctx.fb_addr);
    ctx.fetch_stop = ctx.fb->control;
    // The context's earlier bundles have issued: their writes are in the scoreboard.
    uint64_t ready = 0;
    for (uint32_t r = 0; r < register_list_length; ++r)
      ready = std::max(ready, ctx.ready[ctx.fb->register_list[r]]);
    ctx.operands_ready = ready;
    fetch_order_ = entry.row_after;
    fetched = true;
    if (observer_ != nullptr) [[unlikely]]
      observer_->on_fetch(cycle, static_cast<uint16_t>(index_), static_cast<uint8_t>(entry.index),
                          ctx.fb_addr);
    break;
  }
  if (resolved != nullptr && resolved->phase == ContextPhase::Running) {
    resolved->fetch_stop = false;
    resolved->empty_cause = StallCause::Branch;
  }
  return issued != nullptr || fetched;
}

}  // namespace nicsim::model
