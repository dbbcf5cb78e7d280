#include "testbench/session/nic_session.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "ebpf/util/error.h"

namespace nicsim::testbench {

double NicRunStats::cycles_per_packet() const {
  if (throughput_intervals > 0)
    return static_cast<double>(throughput_cycles) / static_cast<double>(throughput_intervals);
  // A single packet: its own run time is all we know.
  return packets.packets ? static_cast<double>(run_cycles) / packets.packets : 0.0;
}

double NicRunStats::mpps(double clock_hz) const {
  const double cycles = cycles_per_packet();
  return cycles > 0 ? clock_hz / cycles / 1e6 : 0.0;
}

double NicRunStats::ipc() const {
  const double cycles = cycles_per_packet() * static_cast<double>(packets.packets);
  return cycles > 0 ? static_cast<double>(packets.instructions) / cycles : 0.0;
}

NicRunStats run_nic_traffic(const NicBatchRunner& runner, ebpf::Runtime& runtime,
                            std::span<const traffic::Packet> packets,
                            const NicPacketCallback& on_packet, size_t batch_size) {
  NicRunStats stats;
  for (size_t begin = 0; begin < packets.size(); begin += batch_size) {
    const size_t end = std::min(packets.size(), begin + batch_size);
    std::vector<std::unique_ptr<ebpf::XdpFrame>> frames;
    std::vector<ebpf::XdpFrame*> pointers;
    for (size_t i = begin; i < end; ++i) {
      const auto& p = packets[i];
      frames.push_back(
          std::make_unique<ebpf::XdpFrame>(p.bytes, p.ingress_ifindex, p.rx_queue_index));
      pointers.push_back(frames.back().get());
    }
    runtime.set_now_ns(packets[begin].timestamp_ns);
    const std::vector<model::PacketOutcome> outcomes = runner(pointers);
    // A NIC engine that returned fewer outcomes would lose packets silently.
    if (outcomes.size() != pointers.size())
      throw Error(fmt::format("NIC engine returned {} results for a batch of {} packets",
                              outcomes.size(), pointers.size()));
    uint64_t first_exit = UINT64_MAX, last_exit = 0;
    for (size_t k = 0; k < outcomes.size(); ++k) {
      const model::PacketOutcome& outcome = outcomes[k];
      const traffic::Packet& in = packets[begin + k];
      const PacketResult result =
          make_packet_result(begin + k, outcome.result, outcome.redirect, *frames[k], in);
      account_packet(stats.packets, in, result);
      first_exit = std::min(first_exit, outcome.stats.exit_cycle);
      last_exit = std::max(last_exit, outcome.stats.exit_cycle);
      stats.run_cycles += outcome.stats.cycles();
      stats.latency_cycles += outcome.stats.latency();
      stats.bundles += outcome.stats.bundles;
      for (int c = 0; c < model::kNumStallCauses; ++c)
        stats.stalls[c] += outcome.stats.stalls[c];
      if (on_packet) on_packet(result.index, in, outcome, result);
    }
    if (outcomes.size() > 1) {
      stats.throughput_cycles += last_exit - first_exit;
      stats.throughput_intervals += outcomes.size() - 1;
    }
  }
  return stats;
}

nlohmann::json to_json(const NicRunStats& stats, double clock_hz) {
  const double n = stats.packets.packets ? static_cast<double>(stats.packets.packets) : 1.0;
  nlohmann::json stalls = nlohmann::json::object();
  for (int c = 0; c < model::kNumStallCauses; ++c) {
    stalls[std::string(model::stall_cause_name(static_cast<model::StallCause>(c)))] =
        static_cast<double>(stats.stalls[c]) / n;
  }
  nlohmann::json out = to_json(stats.packets);
  out["clock_hz"] = clock_hz;
  out["cycles_per_packet"] = stats.cycles_per_packet();
  out["mpps"] = stats.mpps(clock_hz);
  out["ipc"] = stats.ipc();
  out["mean_packet_cycles"] = static_cast<double>(stats.run_cycles) / n;
  out["mean_latency_cycles"] = static_cast<double>(stats.latency_cycles) / n;
  out["bundles_per_packet"] = static_cast<double>(stats.bundles) / n;
  out["stall_cycles_per_packet"] = stalls;
  return out;
}

}  // namespace nicsim::testbench
