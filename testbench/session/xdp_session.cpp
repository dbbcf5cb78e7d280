#include "testbench/session/xdp_session.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

namespace nicsim::testbench {

namespace {
constexpr size_t kAbortsKept = 10;
}

bool RunStats::balanced() const {
  return std::accumulate(by_action.begin(), by_action.end(), uint64_t{0}) == packets;
}

XdpSession::XdpSession(ebpf::Engine& engine, ebpf::Runtime& runtime)
    : engine_(engine), runtime_(runtime) {}

PacketResult make_packet_result(uint64_t index, const ebpf::ExecutionResult& execution,
                                const ebpf::RedirectTarget& redirect, const ebpf::XdpFrame& frame,
                                const traffic::Packet& in) {
  PacketResult result;
  result.index = index;
  result.execution = execution;
  result.action = ebpf::xdp_action_of(execution);
  result.redirect = redirect;
  if (result.action != ebpf::XdpAction::Drop && result.action != ebpf::XdpAction::Aborted) {
    const auto bytes = frame.packet();
    result.output.bytes.assign(bytes.begin(), bytes.end());
    result.output.timestamp_ns = in.timestamp_ns;
    result.output.ingress_ifindex = in.ingress_ifindex;
    result.output.rx_queue_index = in.rx_queue_index;
  }
  return result;
}

void account_packet(RunStats& stats, const traffic::Packet& in, const PacketResult& result) {
  ++stats.packets;
  stats.bytes_in += in.bytes.size();
  stats.instructions += result.execution.instructions;
  stats.max_instructions = std::max(stats.max_instructions, result.execution.instructions);
  ++stats.by_action[static_cast<size_t>(result.action)];
  if (result.action == ebpf::XdpAction::Aborted) {
    std::string reason = result.execution.diagnostic;
    if (!result.execution.aborted) {
      if (result.execution.return_value >= ebpf::kNumXdpActions) {
        ++stats.unknown_return_values;
        reason = fmt::format("program returned {}, which is not an XDP action",
                             result.execution.return_value);
      } else {
        reason = "program returned XDP_ABORTED";
      }
    }
    if (stats.first_aborts.size() < kAbortsKept)
      stats.first_aborts.emplace_back(result.index, std::move(reason));
  } else if (result.action != ebpf::XdpAction::Drop) {
    stats.bytes_out += result.output.bytes.size();
  }
}

PacketResult XdpSession::process(const traffic::Packet& packet) {
  ebpf::XdpFrame frame(packet.bytes, packet.ingress_ifindex, packet.rx_queue_index);
  runtime_.set_now_ns(packet.timestamp_ns);
  const ebpf::ExecutionResult execution = engine_.run_xdp(frame);
  PacketResult result =
      make_packet_result(stats_.packets, execution, runtime_.redirect(), frame, packet);
  account_packet(stats_, packet, result);
  return result;
}

nlohmann::json to_json(const RunStats& stats) {
  nlohmann::json actions = nlohmann::json::object();
  for (uint32_t a = 0; a < ebpf::kNumXdpActions; ++a) {
    actions[std::string(ebpf::xdp_action_name(static_cast<ebpf::XdpAction>(a)))] =
        stats.by_action[a];
  }
  nlohmann::json aborts = nlohmann::json::array();
  for (const auto& [index, reason] : stats.first_aborts)
    aborts.push_back({{"packet", index}, {"reason", reason}});
  return {
      {"packets", stats.packets},
      {"actions", actions},
      {"bytes_in", stats.bytes_in},
      {"bytes_out", stats.bytes_out},
      {"instructions", stats.instructions},
      {"instructions_per_packet",
       stats.packets ? static_cast<double>(stats.instructions) / stats.packets : 0.0},
      {"max_instructions", stats.max_instructions},
      {"first_aborts", aborts},
  };
}

}  // namespace nicsim::testbench
