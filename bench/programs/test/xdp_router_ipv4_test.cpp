#include <gtest/gtest.h>

#include "bench/programs/test/frames.h"
#include "bench/programs/test/program_runner.h"
#include "testbench/traffic/generator.h"

namespace nicsim::bench::test {
namespace {

using ebpf::RedirectTarget;
using ebpf::XdpAction;

constexpr size_t kTtlOffset = 14 + 8;

// What forwarding must have done to `in`: new MACs, TTL one less, a valid checksum, and
// every other byte untouched.
void expect_forwarded(const std::vector<uint8_t>& in, const XdpOutcome& out,
                      const std::string& neighbour_mac, const std::string& port_mac) {
  ASSERT_EQ(out.packet.size(), in.size());
  EXPECT_EQ(slice(out.packet, 0, 6), mac_bytes(neighbour_mac));
  EXPECT_EQ(slice(out.packet, 6, 12), mac_bytes(port_mac));
  EXPECT_EQ(out.packet[kTtlOffset], in[kTtlOffset] - 1);
  EXPECT_TRUE(ipv4_checksum_ok(out.packet, 14));
  std::vector<uint8_t> expected = in;
  std::vector<uint8_t> actual = out.packet;
  for (size_t i : {kTtlOffset, size_t{24}, size_t{25}})
    expected[i] = actual[i] = 0;
  EXPECT_EQ(slice(actual, 12, actual.size()), slice(expected, 12, expected.size()));
}

TEST(XdpRouterIpv4, ForwardsByLongestPrefix) {
  ProgramRunner router("xdp_router_ipv4");

  const auto to_16 = ipv4_frame("10.0.0.1", "192.168.5.9");
  XdpOutcome out = router.run(to_16, /*ingress_ifindex=*/1);
  EXPECT_EQ(out.action, XdpAction::Redirect) << out.diagnostic;
  EXPECT_EQ(out.redirect.kind, RedirectTarget::Kind::Devmap);
  EXPECT_EQ(out.redirect.ifindex, 2u);
  expect_forwarded(to_16, out, "02:00:00:00:02:01", "02:00:00:00:00:12");

  const auto to_24 = ipv4_frame("10.0.0.1", "192.168.1.77", 5, 6, traffic::kIpProtocolTcp, 128);
  out = router.run(to_24, 1);
  EXPECT_EQ(out.action, XdpAction::Redirect) << out.diagnostic;
  EXPECT_EQ(out.redirect.ifindex, 3u);
  expect_forwarded(to_24, out, "02:00:00:00:03:01", "02:00:00:00:00:13");
}

TEST(XdpRouterIpv4, EgressOnTheIngressPortIsTx) {
  ProgramRunner router("xdp_router_ipv4");
  const auto to_10 = ipv4_frame("192.168.0.1", "10.9.9.9");
  const XdpOutcome out = router.run(to_10, 1);
  EXPECT_EQ(out.action, XdpAction::Tx) << out.diagnostic;
  expect_forwarded(to_10, out, "02:00:00:00:01:01", "02:00:00:00:00:11");
}

TEST(XdpRouterIpv4, EverythingElseGoesToTheStackUntouched) {
  ProgramRunner router("xdp_router_ipv4");
  const std::vector<std::pair<std::vector<uint8_t>, uint32_t>> cases = {
      {ipv4_frame("10.0.0.1", "203.0.113.1"), 1},   // no route
      {ipv4_frame("10.0.0.1", "198.51.100.7"), 1},  // egress 5 is not in tx_ports
      {ipv4_frame("192.168.0.1", "10.9.9.9"), 2},   // egress 1 from port 2: not in tx_ports
      {ipv6_frame(), 1},
      {arp_frame(), 1},
  };
  for (const auto& [frame, ingress] : cases) {
    const XdpOutcome out = router.run(frame, ingress);
    EXPECT_EQ(out.action, XdpAction::Pass) << out.diagnostic;
    EXPECT_EQ(out.packet, frame);
  }
  EXPECT_EQ(router.run(slice(ipv4_frame("10.0.0.1", "192.168.0.1"), 0, 33)).action,
            XdpAction::Drop);
}

TEST(XdpRouterIpv4, TtlExpiryGoesToTheStack) {
  ProgramRunner router("xdp_router_ipv4");
  for (uint8_t ttl : {0, 1}) {
    traffic::FrameFields fields = ipv4_fields("10.0.0.1", "192.168.5.9", 1, 2);
    fields.ttl = ttl;
    const auto frame = traffic::build_frame(fields);
    const XdpOutcome out = router.run(frame);
    EXPECT_EQ(out.action, XdpAction::Pass);
    EXPECT_EQ(out.packet, frame);
  }
  traffic::FrameFields fields = ipv4_fields("10.0.0.1", "192.168.5.9", 1, 2);
  fields.ttl = 2;
  const auto frame = traffic::build_frame(fields);
  const XdpOutcome out = router.run(frame);
  EXPECT_EQ(out.action, XdpAction::Redirect);
  EXPECT_EQ(out.packet[kTtlOffset], 1);
  EXPECT_TRUE(ipv4_checksum_ok(out.packet, 14));
}

TEST(XdpRouterIpv4, IncrementalChecksumHoldsForManyHeaders) {
  ProgramRunner router("xdp_router_ipv4");
  size_t via_port[4] = {};
  for (int ttl : {2, 64, 128, 255}) {
    for (const auto& packet : traffic::generate_traffic(traffic::parse_traffic_spec(
             "dst=192.168.0.0/23,proto=mix,flows=300,packets=600,size=64-1500,ttl=" +
             std::to_string(ttl)))) {
      const XdpOutcome out = router.run(packet);
      ASSERT_EQ(out.action, XdpAction::Redirect) << out.diagnostic;
      ASSERT_LT(out.redirect.ifindex, 4u);
      ++via_port[out.redirect.ifindex];
      EXPECT_EQ(out.packet[kTtlOffset], ttl - 1);
      EXPECT_TRUE(ipv4_checksum_ok(out.packet, 14));
    }
  }
  // 192.168.0.0/24 takes the /16 route (port 2), 192.168.1.0/24 its own (port 3).
  EXPECT_GT(via_port[2], 800u);
  EXPECT_GT(via_port[3], 800u);
  EXPECT_EQ(via_port[2] + via_port[3], 2400u);
}

}  // namespace
}  // namespace nicsim::bench::test
