#pragma once
// Runs traffic through a NIC engine (the SystemC model or the Verilated RTL) back to back, in
// batches, and reports what a NIC engineer asks first: cycles per packet at full load, the
// latency of a packet, bundles and eBPF instructions per packet, IPC, and where the cycles
// were lost (stalls by cause). Every packet is accounted for as in XdpSession.

#include <array>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <span>
#include <vector>

#include "model/stats.h"
#include "testbench/session/xdp_session.h"
#include "testbench/traffic/packet.h"

namespace nicsim::testbench {

// ModelEngine::run_batch or RtlEngine::run_batch.
using NicBatchRunner =
    std::function<std::vector<model::PacketOutcome>(std::span<ebpf::XdpFrame* const>)>;

struct NicRunStats {
  RunStats packets;                   // actions, bytes, eBPF instructions
  uint64_t throughput_intervals = 0;  // sum over batches of (packets - 1)
  uint64_t throughput_cycles = 0;     // sum over batches of (last exit - first exit)
  uint64_t run_cycles = 0;            // sum of per-packet start..exit cycles
  uint64_t latency_cycles = 0;        // sum of per-packet dispatch..exit cycles
  uint64_t bundles = 0;
  std::array<uint64_t, model::kNumStallCauses> stalls{};

  // Average cycles between packet completions under back-to-back traffic.
  double cycles_per_packet() const;
  double mpps(double clock_hz) const;
  double ipc() const;  // eBPF instructions per cycle at full load
};

// Called for every packet in input order with the frame as the NIC left it.
using NicPacketCallback =
    std::function<void(uint64_t index, const traffic::Packet& in,
                       const model::PacketOutcome& outcome, const PacketResult& result)>;

// Runs all of `packets` through `runner` in batches of `batch_size` frames (each batch starts
// on an idle NIC, so throughput is measured within batches).
NicRunStats run_nic_traffic(const NicBatchRunner& runner, ebpf::Runtime& runtime,
                            std::span<const traffic::Packet> packets,
                            const NicPacketCallback& on_packet = {}, size_t batch_size = 4096);

nlohmann::json to_json(const NicRunStats& stats, double clock_hz);

}  // namespace nicsim::testbench
