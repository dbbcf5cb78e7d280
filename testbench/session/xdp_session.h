#pragma once
// Runs traffic through one engine, packet by packet, and accounts for every packet: each one
// that enters leaves as passed, dropped, transmitted, redirected or aborted, and the counts
// always add up to the packets in. The same loop serves the interpreter, the host JITs and the
// NIC engines, so their outputs can be compared packet for packet.

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ebpf/engine/engine.h"
#include "ebpf/runtime/runtime.h"
#include "testbench/traffic/packet.h"

namespace nicsim::testbench {

struct PacketResult {
  uint64_t index = 0;  // position in the input, from 0
  ebpf::XdpAction action = ebpf::XdpAction::Aborted;
  ebpf::ExecutionResult execution;
  ebpf::RedirectTarget redirect;
  // The packet as the program left it (meaningful for pass, tx and redirect).
  traffic::Packet output;
};

struct RunStats {
  uint64_t packets = 0;
  std::array<uint64_t, ebpf::kNumXdpActions> by_action{};
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;  // bytes of the packets that left (pass, tx, redirect)
  uint64_t instructions = 0;
  uint64_t max_instructions = 0;
  uint64_t unknown_return_values = 0;  // counted as aborted, as the kernel does
  // The first few aborted packets with the reason, for the user.
  std::vector<std::pair<uint64_t, std::string>> first_aborts;

  uint64_t count(ebpf::XdpAction action) const { return by_action[static_cast<size_t>(action)]; }
  bool balanced() const;  // every packet accounted for exactly once
};

// The result of one packet from what an engine returned and the frame as it left it.
PacketResult make_packet_result(uint64_t index, const ebpf::ExecutionResult& execution,
                                const ebpf::RedirectTarget& redirect, const ebpf::XdpFrame& frame,
                                const traffic::Packet& in);
// Counts a packet in `stats`: one action each, bytes in and out, the first aborts' reasons.
void account_packet(RunStats& stats, const traffic::Packet& in, const PacketResult& result);

class XdpSession {
 public:
  XdpSession(ebpf::Engine& engine, ebpf::Runtime& runtime);

  // Runs one packet (the runtime's clock is set to its timestamp).
  PacketResult process(const traffic::Packet& packet);
  const RunStats& stats() const { return stats_; }

 private:
  ebpf::Engine& engine_;
  ebpf::Runtime& runtime_;
  RunStats stats_;
};

nlohmann::json to_json(const RunStats& stats);

}  // namespace nicsim::testbench
