#pragma once
// One NIC core (docs/nic-isa.md sections 5-7): K contexts, fetch and issue selection, the
// scoreboard, bundle execution with bounds checks, and stall attribution. Stepped one cycle
// at a time by the NIC system; nothing here allocates or formats text on the per-cycle path
// except when a packet faults.

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
  // the compiler unrolls (no loop exits for the host to predict while contexts interleave).
  bool step(uint64_t cycle, SharedUnits& shared, std::vector<uint32_t>& exits) {
    if (config_.contexts == 4) return step_contexts<4>(cycle, shared, exits);
    return step_contexts<0>(cycle, shared, exits);
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
  uint32_t index_of(const ContextState& ctx) const {
    return static_cast<uint32_t>(&ctx - contexts_.data());
  }

  uint32_t index_;
  const DecodedProgram& program_;
  const ModelConfig& config_;
  AddressSpace& memory_;
  HelperUnits& helpers_;
  RetireObserver* observer_ = nullptr;
  std::vector<ContextState> contexts_;
  // The contexts in round-robin order after each one: rr_order_[c * K + i] is context
  // (c + 1 + i) mod K, so that a pass is a walk over pointers with no index arithmetic.
  std::vector<ContextState*> rr_order_;
  uint32_t issue_rr_;
  uint32_t fetch_rr_;
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

}  // namespace nicsim::model
