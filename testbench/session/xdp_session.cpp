#include "testbench/session/xdp_session.h"

#include <fmt/format.h>

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

PacketResult XdpSession::process(const traffic::Packet& packet) {
  PacketResult result;
  result.index = stats_.packets;
  ebpf::XdpFrame frame(packet.bytes, packet.ingress_ifindex, packet.rx_queue_index);
  runtime_.set_now_ns(packet.timestamp_ns);
  result.execution = engine_.run_xdp(frame);
  result.action = ebpf::xdp_action_of(result.execution);
  result.redirect = runtime_.redirect();

  ++stats_.packets;
  stats_.bytes_in += packet.bytes.size();
  stats_.instructions += result.execution.instructions;
  stats_.max_instructions = std::max(stats_.max_instructions, result.execution.instructions);
  ++stats_.by_action[static_cast<size_t>(result.action)];
  if (result.action == ebpf::XdpAction::Aborted) {
    std::string reason = result.execution.diagnostic;
    if (!result.execution.aborted) {
      if (result.execution.return_value >= ebpf::kNumXdpActions) {
        ++stats_.unknown_return_values;
        reason = fmt::format("program returned {}, which is not an XDP action",
                             result.execution.return_value);
      } else {
        reason = "program returned XDP_ABORTED";
      }
    }
    if (stats_.first_aborts.size() < kAbortsKept)
      stats_.first_aborts.emplace_back(result.index, std::move(reason));
  } else if (result.action != ebpf::XdpAction::Drop) {
    const auto bytes = frame.packet();
    result.output.bytes.assign(bytes.begin(), bytes.end());
    result.output.timestamp_ns = packet.timestamp_ns;
    result.output.ingress_ifindex = packet.ingress_ifindex;
    result.output.rx_queue_index = packet.rx_queue_index;
    stats_.bytes_out += bytes.size();
  }
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
