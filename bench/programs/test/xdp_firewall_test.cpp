#include <gtest/gtest.h>

#include <cstring>

#include "bench/programs/test/frames.h"
#include "bench/programs/test/program_runner.h"
#include "testbench/traffic/generator.h"

namespace nicsim::bench::test {
namespace {

using ebpf::XdpAction;

// struct flow_key in common/parsing.h: addresses and ports in network order, then the
// protocol and three bytes of zero padding.
std::vector<uint8_t> flow_key(const std::string& source, const std::string& destination,
                              uint16_t source_port, uint16_t destination_port, uint8_t protocol) {
  std::vector<uint8_t> key = ipv4_bytes(source);
  for (uint8_t byte : ipv4_bytes(destination))
    key.push_back(byte);
  for (uint16_t port : {source_port, destination_port}) {
    key.push_back(static_cast<uint8_t>(port >> 8));
    key.push_back(static_cast<uint8_t>(port));
  }
  key.insert(key.end(), {protocol, 0, 0, 0});
  return key;
}

struct FlowState {
  uint64_t last_seen_ns;
  uint64_t packets;
};

std::optional<FlowState> flow_state(ProgramRunner& firewall, const std::vector<uint8_t>& key) {
  const std::vector<uint8_t> value = lookup(firewall.map("flows"), key);
  if (value.empty()) return std::nullopt;
  FlowState state;
  EXPECT_EQ(value.size(), sizeof state);
  std::memcpy(&state, value.data(), sizeof state);
  return state;
}

uint64_t counter(ProgramRunner& firewall, XdpAction action) {
  const uint32_t key = static_cast<uint32_t>(action);
  const std::vector<uint8_t> value = lookup(firewall.map("action_counters"), bytes_of(key));
  uint64_t total = 0;
  // One u64 per simulated CPU.
  for (size_t offset = 0; offset + 8 <= value.size(); offset += 8) {
    uint64_t count;
    std::memcpy(&count, value.data() + offset, 8);
    total += count;
  }
  return total;
}

size_t entries(const ebpf::Map& map) {
  std::vector<uint8_t> key(map.def().key_size), next(map.def().key_size);
  size_t count = 0;
  for (const void* previous = nullptr; map.get_next_key(previous, next.data()) == 0;
       previous = key.data()) {
    key = next;
    ++count;
  }
  return count;
}

TEST(XdpFirewall, InsideOpensAFlowAndOnlyItsRepliesComeBack) {
  ProgramRunner firewall("xdp_firewall");
  firewall.runtime().set_now_ns(5'000);

  const auto outbound = ipv4_frame("10.1.2.3", "203.0.113.5", 1234, 80);
  XdpOutcome outcome = firewall.run(outbound);
  EXPECT_EQ(outcome.action, XdpAction::Tx) << outcome.diagnostic;
  EXPECT_EQ(outcome.packet, outbound) << "forwarded unchanged";
  const auto key = flow_key("10.1.2.3", "203.0.113.5", 1234, 80, traffic::kIpProtocolUdp);
  std::optional<FlowState> state = flow_state(firewall, key);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->last_seen_ns, 5'000u);
  EXPECT_EQ(state->packets, 1u);

  // Unsolicited: the same outside host, but to a port nobody opened.
  EXPECT_EQ(firewall.run(ipv4_frame("203.0.113.5", "10.1.2.3", 80, 9999)).action, XdpAction::Drop);
  // Right ports, wrong protocol.
  EXPECT_EQ(
      firewall.run(ipv4_frame("203.0.113.5", "10.1.2.3", 80, 1234, traffic::kIpProtocolTcp, 64))
          .action,
      XdpAction::Drop);

  firewall.runtime().set_now_ns(9'000);
  const auto reply = ipv4_frame("203.0.113.5", "10.1.2.3", 80, 1234);
  outcome = firewall.run(reply);
  EXPECT_EQ(outcome.action, XdpAction::Tx) << outcome.diagnostic;
  EXPECT_EQ(outcome.packet, reply);
  state = flow_state(firewall, key);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->last_seen_ns, 9'000u);
  EXPECT_EQ(state->packets, 2u);
  EXPECT_EQ(entries(firewall.map("flows")), 1u) << "replies create no flows";

  // A second outbound packet refreshes the same entry.
  firewall.runtime().set_now_ns(12'000);
  EXPECT_EQ(firewall.run(outbound).action, XdpAction::Tx);
  state = flow_state(firewall, key);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->last_seen_ns, 12'000u);
  EXPECT_EQ(state->packets, 3u);
  EXPECT_EQ(entries(firewall.map("flows")), 1u);

  EXPECT_EQ(counter(firewall, XdpAction::Tx), 3u);
  EXPECT_EQ(counter(firewall, XdpAction::Drop), 2u);
  EXPECT_EQ(counter(firewall, XdpAction::Pass), 0u);
}

TEST(XdpFirewall, OtherTrafficAndMalformedFrames) {
  ProgramRunner firewall("xdp_firewall");
  EXPECT_EQ(firewall.run(ipv6_frame()).action, XdpAction::Pass);
  EXPECT_EQ(firewall.run(arp_frame()).action, XdpAction::Pass);
  // IPv4 EtherType but no room for the IP header.
  auto truncated = slice(ipv4_frame("10.0.0.1", "10.0.0.2"), 0, 30);
  EXPECT_EQ(firewall.run(truncated).action, XdpAction::Drop);
  // UDP header cut short: 14 + 20 + 2 bytes.
  auto no_ports = slice(ipv4_frame("10.0.0.1", "10.0.0.2"), 0, 36);
  EXPECT_EQ(firewall.run(no_ports).action, XdpAction::Drop);
  EXPECT_EQ(firewall.run(std::vector<uint8_t>(10, 0)).action, XdpAction::Drop);
  EXPECT_EQ(counter(firewall, XdpAction::Pass), 2u);
  EXPECT_EQ(counter(firewall, XdpAction::Drop), 3u);
}

TEST(XdpFirewall, GeneratedTrafficBothWays) {
  ProgramRunner firewall("xdp_firewall");
  // 64 flows that fill their whole tuple space, so that the replies below are exactly
  // their reversed tuples.
  const auto outbound = traffic::generate_traffic(traffic::parse_traffic_spec(
      "proto=mix,src=10.0.0.0/30,dst=203.0.113.0/30,sport=2000-2001,dport=80-81,flows=64,"
      "packets=256,size=64-256"));
  for (const auto& packet : outbound) {
    EXPECT_EQ(firewall.run(packet).action, XdpAction::Tx);
  }
  EXPECT_EQ(entries(firewall.map("flows")), 64u);

  // Replies: UDP and TCP each reversed (the generator drew each flow's protocol, so only
  // those tuples are open; the rest of the reversed space must be dropped).
  size_t allowed = 0, dropped = 0;
  for (const char* proto : {"udp", "tcp"}) {
    const auto replies = traffic::generate_traffic(traffic::parse_traffic_spec(
        std::string("proto=") + proto +
        ",src=203.0.113.0/30,dst=10.0.0.0/30,sport=80-81,dport=2000-2001,flows=64,packets=64"));
    for (const auto& packet : replies) {
      const XdpAction action = firewall.run(packet).action;
      EXPECT_TRUE(action == XdpAction::Tx || action == XdpAction::Drop);
      (action == XdpAction::Tx ? allowed : dropped) += 1;
    }
  }
  EXPECT_EQ(allowed, 64u) << "every opened flow answers";
  EXPECT_EQ(dropped, 64u) << "the other protocol's tuples stay closed";

  for (const auto& packet : traffic::generate_traffic(traffic::parse_traffic_spec(
           "src=198.51.100.0/24,dst=10.0.0.0/8,flows=100,packets=100"))) {
    EXPECT_EQ(firewall.run(packet).action, XdpAction::Drop);
  }
}

}  // namespace
}  // namespace nicsim::bench::test
