#pragma once
// What the model reports for every packet (docs/nic-isa.md section 12).

#include <array>
#include <cstdint>
#include <string_view>

#include "ebpf/engine/engine.h"
#include "ebpf/runtime/runtime.h"

namespace nicsim::model {

// Why a running context did not issue in a cycle, in attribution priority order.
enum class StallCause : uint8_t { Helper, Unit, Data, Branch, Fetch, Issue };
constexpr int kNumStallCauses = 6;
std::string_view stall_cause_name(StallCause cause);

struct PacketStats {
  uint32_t core = 0;
  uint32_t context = 0;
  uint64_t dispatch_cycle = 0;  // first dispatcher write
  uint64_t start_cycle = 0;     // first cycle the context runs (may fetch)
  uint64_t exit_cycle = 0;      // issue cycle of the bundle that ended the packet
  uint64_t release_cycle = 0;   // first cycle the context is free again
  uint64_t bundles = 0;
  uint64_t ebpf_instructions = 0;
  std::array<uint64_t, kNumStallCauses> stalls{};

  uint64_t cycles() const { return exit_cycle - start_cycle + 1; }
  uint64_t latency() const { return exit_cycle - dispatch_cycle + 1; }
  uint64_t stall_cycles() const {
    uint64_t sum = 0;
    for (uint64_t s : stalls)
      sum += s;
    return sum;
  }
  uint64_t stall(StallCause cause) const { return stalls[static_cast<size_t>(cause)]; }
};

struct PacketOutcome {
  ebpf::ExecutionResult result;
  ebpf::RedirectTarget redirect;
  PacketStats stats;
};

}  // namespace nicsim::model
