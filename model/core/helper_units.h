#pragma once
// The hardware helper units (docs/nic-isa.md section 9): map engine, checksum unit, redirect
// unit and packet-adjust unit. The functional result is the host runtime's own helper
// implementation, called with the NIC addresses translated to the bytes behind them; this
// class adds the latency and turns returned map values back into NIC addresses.

#include <cstdint>
#include <string>

#include "ebpf/runtime/helpers.h"
#include "ebpf/runtime/runtime.h"
#include "model/config.h"
#include "model/core/context.h"
#include "model/memory/address_space.h"

namespace nicsim::model {

struct HelperResult {
  uint64_t r0 = 0;
  uint32_t latency = 1;
  bool fault = false;  // the runtime raised a fault: the packet is aborted
  std::string diagnostic;
};

class HelperUnits {
 public:
  HelperUnits(ebpf::Runtime& runtime, AddressSpace& memory, const LatencyConfig& latency)
      : runtime_(runtime), memory_(memory), latency_(latency) {}

  // Helper `id` (a hardware unit) for `context` with arguments r1..r5.
  HelperResult call(int32_t id, const uint64_t* args, ContextState& context) {
    return call(ebpf::find_helper(id), id, args, context);
  }
  // The same with the helper's table entry (ebpf::find_helper(id)) resolved beforehand.
  HelperResult call(const ebpf::HelperInfo* info, int32_t id, const uint64_t* args,
                    ContextState& context);

  // Makes the runtime's per-invocation state (frame, redirect target) that of `context`.
  // Inline: every helper call starts with it, and the context is usually the one bound.
  void bind(ContextState& context) {
    if (bound_ != &context || runtime_.frame() != context.frame) rebind(context);
    runtime_.redirect() = context.redirect;
  }
  // A new packet starts on `context` (its redirect target reset): a fresh runtime invocation,
  // which resets the runtime's redirect target too.
  void start_packet(ContextState& context) {
    runtime_.begin_invocation(context.frame);
    bound_ = &context;
  }

 private:
  // A fresh runtime invocation for `context` (another context's packet was bound).
  void rebind(ContextState& context);
  uint64_t host_pointer(ContextState& context, uint64_t address, uint64_t size);
  uint32_t lookup_latency(const firmware::MapLayout& map) const;

  ebpf::Runtime& runtime_;
  AddressSpace& memory_;
  const LatencyConfig& latency_;
  ContextState* bound_ = nullptr;
};

}  // namespace nicsim::model
