// The Linux kernel's XDP samples (built from linux-source when the tarball is installed) run
// on the reference interpreter: what each sample's source says it does to a packet.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "bench/programs/test/frames.h"
#include "bench/programs/test/program_runner.h"

namespace nicsim::bench::test {
namespace {

using ebpf::XdpAction;
using traffic::testing::be16;

class KernelSample : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!NICSIM_KERNEL_SAMPLES_BUILT) {
      GTEST_SKIP() << "the kernel XDP samples were not built (no linux-source tarball)";
    }
  }
  static std::string object(const std::string& name) {
    return std::string(NICSIM_KERNEL_PROGRAMS_DIR) + "/" + name + ".o";
  }
};

void put(std::vector<uint8_t>& bytes, size_t offset, const std::vector<uint8_t>& value) {
  std::copy(value.begin(), value.end(), bytes.begin() + static_cast<std::ptrdiff_t>(offset));
}

void update(ebpf::Map& map, const std::vector<uint8_t>& key, const std::vector<uint8_t>& value) {
  ASSERT_EQ(key.size(), map.def().key_size);
  ASSERT_EQ(value.size(), map.def().value_size);
  ASSERT_EQ(map.host_update(key.data(), value.data(), ebpf::kMapUpdateAny), 0);
}

std::vector<uint8_t> u32_bytes(uint32_t value) {
  std::vector<uint8_t> bytes(4);
  std::memcpy(bytes.data(), &value, 4);
  return bytes;
}

uint64_t u64_at(const std::vector<uint8_t>& bytes, size_t offset) {
  uint64_t value = 0;
  std::memcpy(&value, bytes.data() + offset, 8);
  return value;
}

// xdp_adjust_tail_kern.c: IPv4 packets above 600 bytes are cut and turned into an ICMP
// "fragmentation needed" (MTU 586) sent back to their source.
TEST_F(KernelSample, AdjustTailAnswersBigPacketsWithIcmpTooBig) {
  ProgramRunner sample = ProgramRunner::from_object(object("xdp_adjust_tail"), "xdp_icmp");
  const auto big = ipv4_frame("10.0.0.1", "192.168.0.2", 1234, 80, traffic::kIpProtocolUdp, 1000);
  const XdpOutcome out = sample.run(big);
  ASSERT_EQ(out.action, XdpAction::Tx) << out.diagnostic;
  const std::vector<uint8_t>& o = out.packet;
  ASSERT_EQ(o.size(), 126u);  // 98 bytes kept + a new 20-byte IP and 8-byte ICMP header
  EXPECT_EQ(slice(o, 0, 6), slice(big, 6, 12));
  EXPECT_EQ(slice(o, 6, 12), slice(big, 0, 6));
  EXPECT_EQ(be16(o, 12), 0x0800u);
  EXPECT_EQ(o[14], 0x45);
  EXPECT_EQ(be16(o, 16), 112u);
  EXPECT_EQ(o[22], 64);  // TTL
  EXPECT_EQ(o[23], 1);   // ICMP
  EXPECT_EQ(slice(o, 26, 30), ipv4_bytes("192.168.0.2"));
  EXPECT_EQ(slice(o, 30, 34), ipv4_bytes("10.0.0.1"));
  EXPECT_TRUE(ipv4_checksum_ok(o, 14));
  EXPECT_EQ(o[34], 3);               // destination unreachable
  EXPECT_EQ(o[35], 4);               // fragmentation needed
  EXPECT_EQ(be16(o, 34 + 6), 586u);  // next-hop MTU
  EXPECT_EQ(traffic::testing::sum_mod_ffff(std::span(o).subspan(34, 92)), 0u);
  EXPECT_EQ(slice(o, 42, 62), slice(big, 14, 34)) << "the original IP header follows";
  const std::vector<uint8_t> count = lookup(sample.map("icmpcnt"), u32_bytes(0));
  ASSERT_EQ(count.size(), 8u);
  EXPECT_EQ(u64_at(count, 0), 1u);

  const auto small = ipv4_frame("10.0.0.1", "192.168.0.2", 1234, 80, traffic::kIpProtocolUdp, 600);
  const XdpOutcome passed = sample.run(small);
  EXPECT_EQ(passed.action, XdpAction::Pass);
  EXPECT_EQ(passed.packet, small);
  EXPECT_EQ(sample.run(arp_frame()).action, XdpAction::Pass);
}

// xdp_fwd_kern.c: bpf_fib_lookup, then a redirect through xdp_tx_ports with the TTL
// decremented and the MACs of the route; the stack gets what it cannot forward.
TEST_F(KernelSample, FwdForwardsByFibLookup) {
  ProgramRunner sample = ProgramRunner::from_object(object("xdp_fwd"), "xdp_fwd");
  ebpf::FibRoute route;
  route.family = 4;
  {
    const traffic::IpBytes prefix = ip("192.168.0.0");
    std::copy(prefix.begin(), prefix.end(), route.prefix.begin());
  }
  route.prefix_length = 16;
  route.ifindex = 2;
  route.smac = traffic::parse_mac("02:00:00:00:00:aa");
  route.dmac = traffic::parse_mac("02:00:00:00:00:bb");
  sample.runtime().fib().add_route(route);

  const auto frame = ipv4_frame("10.0.0.1", "192.168.3.4");
  XdpOutcome out = sample.run(frame);
  EXPECT_EQ(out.action, XdpAction::Pass) << "egress 2 is not in xdp_tx_ports yet";
  EXPECT_EQ(out.packet, frame);

  update(sample.map("xdp_tx_ports"), u32_bytes(2), u32_bytes(2));
  out = sample.run(frame);
  ASSERT_EQ(out.action, XdpAction::Redirect) << out.diagnostic;
  EXPECT_EQ(out.redirect.ifindex, 2u);
  EXPECT_EQ(slice(out.packet, 0, 6), mac_bytes("02:00:00:00:00:bb"));
  EXPECT_EQ(slice(out.packet, 6, 12), mac_bytes("02:00:00:00:00:aa"));
  EXPECT_EQ(out.packet[22], frame[22] - 1);
  EXPECT_TRUE(ipv4_checksum_ok(out.packet, 14));
  EXPECT_EQ(slice(out.packet, 26, out.packet.size()), slice(frame, 26, frame.size()));

  EXPECT_EQ(sample.run(ipv4_frame("192.168.0.1", "10.1.1.1")).action, XdpAction::Pass)
      << "no route";
  EXPECT_EQ(sample.run(arp_frame()).action, XdpAction::Pass);
}

// xdp_tx_iptunnel_kern.c: packets to a VIP (address, port, protocol) in vip2tnl are
// encapsulated IPv4-in-IPv4 (TTL 8) towards the tunnel's endpoint and sent back out.
TEST_F(KernelSample, TxIptunnelEncapsulatesVipTraffic) {
  ProgramRunner sample = ProgramRunner::from_object(object("xdp_tx_iptunnel"), "");
  // struct vip: daddr (16-byte union), dport (network order), family, protocol, padding.
  std::vector<uint8_t> key(24, 0);
  put(key, 0, ipv4_bytes("10.100.0.1"));
  put(key, 16, {0x00, 0x50, 2, 0, traffic::kIpProtocolTcp});
  // struct iptnl_info: saddr, daddr (16-byte unions), family, dmac.
  std::vector<uint8_t> value(40, 0);
  put(value, 0, ipv4_bytes("172.16.0.1"));
  put(value, 16, ipv4_bytes("172.16.1.1"));
  put(value, 32, {2, 0});
  put(value, 34, mac_bytes("02:00:00:00:10:01"));
  update(sample.map("vip2tnl"), key, value);

  const auto frame =
      ipv4_frame("198.51.100.1", "10.100.0.1", 4000, 80, traffic::kIpProtocolTcp, 90);
  const XdpOutcome out = sample.run(frame);
  ASSERT_EQ(out.action, XdpAction::Tx) << out.diagnostic;
  const std::vector<uint8_t>& o = out.packet;
  ASSERT_EQ(o.size(), frame.size() + 20);
  EXPECT_EQ(slice(o, 0, 6), mac_bytes("02:00:00:00:10:01"));
  EXPECT_EQ(slice(o, 6, 12), slice(frame, 0, 6));
  EXPECT_EQ(o[14], 0x45);
  EXPECT_EQ(be16(o, 16), be16(frame, 16) + 20);
  EXPECT_EQ(o[22], 8);
  EXPECT_EQ(o[23], 4);
  EXPECT_EQ(slice(o, 26, 30), ipv4_bytes("172.16.0.1"));
  EXPECT_EQ(slice(o, 30, 34), ipv4_bytes("172.16.1.1"));
  EXPECT_TRUE(ipv4_checksum_ok(o, 14));
  EXPECT_EQ(slice(o, 34, o.size()), slice(frame, 14, frame.size()));

  const auto other =
      ipv4_frame("198.51.100.1", "10.100.0.1", 4000, 81, traffic::kIpProtocolTcp, 90);
  EXPECT_EQ(sample.run(other).action, XdpAction::Pass);
}

// xdp_router_ipv4.bpf.c: LPM route + ARP entry -> MACs rewritten and redirected through
// tx_port (the sample leaves the TTL alone); no route -> drop; ARP -> pass.
TEST_F(KernelSample, RouterIpv4RedirectsByRouteAndArpTable) {
  ProgramRunner sample =
      ProgramRunner::from_object(object("xdp_router_ipv4"), "xdp_router_ipv4_prog");
  ebpf::Map& routes = sample.map("lpm_map");
  // union key_4: the prefix length, then the address bytes.
  std::vector<uint8_t> key = u32_bytes(16);
  for (uint8_t byte : ipv4_bytes("192.168.0.0"))
    key.push_back(byte);
  // struct trie_value: prefix[4], (padding), the source MAC in a __be64, ifindex, metric, gw.
  std::vector<uint8_t> value(routes.def().value_size, 0);
  put(value, 0, ipv4_bytes("192.168.0.0"));
  put(value, 8, mac_bytes("02:00:00:00:00:aa"));
  put(value, 16, u32_bytes(2));
  update(routes, key, value);
  std::vector<uint8_t> arp_mac(8, 0);
  put(arp_mac, 0, mac_bytes("02:00:00:00:00:bb"));
  update(sample.map("arp_table"), ipv4_bytes("192.168.3.4"), arp_mac);
  update(sample.map("tx_port"), u32_bytes(2), u32_bytes(2));

  const auto frame = ipv4_frame("10.0.0.1", "192.168.3.4");
  const XdpOutcome out = sample.run(frame);
  ASSERT_EQ(out.action, XdpAction::Redirect) << out.diagnostic;
  EXPECT_EQ(out.redirect.ifindex, 2u);
  EXPECT_EQ(slice(out.packet, 0, 6), mac_bytes("02:00:00:00:00:bb"));
  EXPECT_EQ(slice(out.packet, 6, 12), mac_bytes("02:00:00:00:00:aa"));
  EXPECT_EQ(slice(out.packet, 12, out.packet.size()), slice(frame, 12, frame.size()));

  // 192.168.3.5 has a route but no ARP entry and the route no gateway: dropped.
  EXPECT_EQ(sample.run(ipv4_frame("10.0.0.1", "192.168.3.5")).action, XdpAction::Drop);
  EXPECT_EQ(sample.run(ipv4_frame("10.0.0.1", "10.1.1.1")).action, XdpAction::Drop);
  EXPECT_EQ(sample.run(arp_frame()).action, XdpAction::Pass);
  const std::vector<uint8_t> stats = lookup(sample.map("rx_cnt"), u32_bytes(0));
  ASSERT_GE(stats.size(), 8u);
  EXPECT_EQ(u64_at(stats, 0), 4u) << "rx_cnt[0].processed";
}

}  // namespace
}  // namespace nicsim::bench::test
