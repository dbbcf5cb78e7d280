#pragma once
// The shape the core is Verilated with (rtl/CMakeLists.txt builds nic_top with its default
// parameters). The wrapper reads and writes the flattened ports with these sizes.

#include <cstdint>

namespace nicsim::rtl {

constexpr uint32_t kRtlLanes = 4;
constexpr uint32_t kRtlContexts = 4;
constexpr uint32_t kRtlMemPorts = 2;
constexpr uint32_t kRtlImemDepth = 4096;
constexpr uint32_t kRtlPoolDepth = 65536;
constexpr uint32_t kRtlLoadLatency = 2;
constexpr uint32_t kRtlMulLatency = 2;
constexpr uint32_t kRtlDiv64Latency = 33;
constexpr uint32_t kRtlDiv32Latency = 17;
// Register-file write ports: one per lane at issue, the exit's r0, one writeback port per lane,
// the divider, one helper port per context (rtl/nic_core.sv).
constexpr uint32_t kRtlWritePorts = 2 * kRtlLanes + 2 + kRtlContexts;
constexpr uint32_t kRtlPortWriteback = kRtlLanes + 1;
constexpr uint32_t kRtlPortHelper = 2 * kRtlLanes + 2;  // one per context, the last ports

// nic_pkg::stall_e
enum class RtlStall : uint8_t {
  Helper = 0,
  Unit = 1,
  Data = 2,
  Branch = 3,
  Fetch = 4,
  Issue = 5,
  None = 7
};

}  // namespace nicsim::rtl
