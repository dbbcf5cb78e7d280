#include <gtest/gtest.h>

#include "bench/programs/test/frames.h"
#include "bench/programs/test/ipip_check.h"
#include "bench/programs/test/program_runner.h"
#include "testbench/traffic/generator.h"

namespace nicsim::bench::test {
namespace {

using ebpf::XdpAction;

TEST(XdpTunnelIpip, EncapsulatesTowardsTheEndpointOfTheDestination) {
  ProgramRunner tunnel("xdp_tunnel_ipip");
  const auto first = ipv4_frame("10.0.0.1", "192.168.0.77", 1000, 53);
  expect_encapsulated(first, tunnel.run(first), "172.16.0.1", "172.16.1.1", "02:00:00:00:00:02",
                      "02:00:00:00:10:01");
  traffic::FrameFields fields =
      ipv4_fields("10.0.0.1", "192.168.1.200", 1000, 443, traffic::kIpProtocolTcp, 1514);
  fields.tos = 0xb8;
  fields.dont_fragment = false;
  const auto second = traffic::build_frame(fields);
  expect_encapsulated(second, tunnel.run(second), "172.16.0.1", "172.16.2.1", "02:00:00:00:00:02",
                      "02:00:00:00:10:02");
}

TEST(XdpTunnelIpip, OtherDestinationsPass) {
  ProgramRunner tunnel("xdp_tunnel_ipip");
  for (const auto& frame : {ipv4_frame("10.0.0.1", "192.168.2.1"),
                            ipv4_frame("10.0.0.1", "10.0.0.2"), ipv6_frame(), arp_frame()}) {
    const XdpOutcome out = tunnel.run(frame);
    EXPECT_EQ(out.action, XdpAction::Pass) << out.diagnostic;
    EXPECT_EQ(out.packet, frame);
  }
  EXPECT_EQ(tunnel.run(slice(ipv4_frame("10.0.0.1", "192.168.0.1"), 0, 20)).action,
            XdpAction::Drop);
}

TEST(XdpTunnelIpip, GeneratedTraffic) {
  ProgramRunner tunnel("xdp_tunnel_ipip");
  size_t per_endpoint[2] = {};
  for (const auto& packet : traffic::generate_traffic(traffic::parse_traffic_spec(
           "dst=192.168.0.0/23,proto=mix,size=imix,flows=200,packets=1000"))) {
    const XdpOutcome out = tunnel.run(packet);
    const bool second = packet.bytes[14 + 18] == 1;  // inner destination 192.168.1.x
    expect_encapsulated(packet.bytes, out, "172.16.0.1", second ? "172.16.2.1" : "172.16.1.1",
                        "02:00:00:00:00:02", second ? "02:00:00:00:10:02" : "02:00:00:00:10:01");
    ++per_endpoint[second];
  }
  EXPECT_GT(per_endpoint[0], 300u);
  EXPECT_GT(per_endpoint[1], 300u);
}

}  // namespace
}  // namespace nicsim::bench::test
