#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <set>
#include <tuple>

#include "bench/programs/test/frames.h"
#include "bench/programs/test/ipip_check.h"
#include "bench/programs/test/program_runner.h"
#include "testbench/traffic/generator.h"

namespace nicsim::bench::test {
namespace {

using ebpf::XdpAction;

constexpr uint32_t kRingSize = 251;
const std::vector<std::string> kWebBackends = {"10.200.0.1", "10.200.0.2", "10.200.0.3",
                                               "10.200.0.4"};
const std::vector<std::string> kDnsBackends = {"10.200.1.1", "10.200.1.2", "10.200.1.3"};

uint32_t u32_at(const std::vector<uint8_t>& bytes, size_t offset = 0) {
  uint32_t value;
  std::memcpy(&value, bytes.data() + offset, 4);
  return value;
}

std::string outer_destination(const XdpOutcome& out) {
  return traffic::format_ip(traffic::IpVersion::V4,
                            {out.packet[30], out.packet[31], out.packet[32], out.packet[33]});
}

void expect_balanced(const std::vector<uint8_t>& in, const XdpOutcome& out,
                     const std::vector<std::string>& backends) {
  ASSERT_EQ(out.action, XdpAction::Tx) << out.diagnostic;
  const std::string backend = outer_destination(out);
  EXPECT_NE(std::find(backends.begin(), backends.end(), backend), backends.end()) << backend;
  expect_encapsulated(in, out, "10.255.0.1", backend, "02:00:00:00:00:02", "02:00:00:00:00:fe");
}

// The flow hash as docs/programs.md states it: MurmurHash3's 32-bit finaliser chained over
// the flow key's words as a little-endian machine loads them.
uint32_t mix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

uint32_t documented_hash(const std::vector<uint8_t>& frame) {
  auto le16 = [&](size_t at) { return static_cast<uint32_t>(frame[at] | frame[at + 1] << 8); };
  const uint32_t saddr = u32_at(frame, 26);
  const uint32_t daddr = u32_at(frame, 30);
  const uint32_t ports = le16(34) << 16 | le16(36);
  uint32_t h = mix32(saddr);
  h = mix32(h ^ daddr);
  h = mix32(h ^ ports);
  return mix32(h ^ frame[23]);
}

TEST(XdpLoadBalancer, DefaultRingsAreMaglevTables) {
  ProgramRunner balancer("xdp_load_balancer");
  const ebpf::Map& ring = balancer.map("ring");
  // Maglev fills each ring so that every backend owns within one slot of an equal share.
  for (const auto& [service, first, count] :
       {std::tuple<uint32_t, uint32_t, uint32_t>{0, 0, 4}, {1, 4, 3}}) {
    std::map<uint32_t, uint32_t> slots;
    for (uint32_t slot = 0; slot < kRingSize; ++slot) {
      const uint32_t key = service * kRingSize + slot;
      ++slots[u32_at(lookup(ring, bytes_of(key)))];
    }
    ASSERT_EQ(slots.size(), count) << "service " << service;
    for (const auto& [backend, owned] : slots) {
      EXPECT_GE(backend, first);
      EXPECT_LT(backend, first + count);
      EXPECT_GE(owned, kRingSize / count);
      EXPECT_LE(owned, kRingSize / count + 1);
    }
  }
}

TEST(XdpLoadBalancer, SameFlowSameBackendAndFlowsSpread) {
  ProgramRunner balancer("xdp_load_balancer");
  // Keyed by the 5-tuple: addresses, ports and protocol as the frame holds them.
  std::map<std::tuple<uint32_t, uint32_t, uint32_t, uint8_t>, std::string> backend_of_flow;
  std::map<std::string, size_t> flows_per_backend;
  for (const auto& packet : traffic::generate_traffic(traffic::parse_traffic_spec(
           "dst=10.100.0.1,dport=80,proto=tcp,flows=400,packets=1600,size=64-512"))) {
    const XdpOutcome out = balancer.run(packet);
    expect_balanced(packet.bytes, out, kWebBackends);
    const auto tuple = std::tuple(u32_at(packet.bytes, 26), u32_at(packet.bytes, 30),
                                  u32_at(packet.bytes, 34), packet.bytes[23]);
    const auto [it, inserted] = backend_of_flow.emplace(tuple, outer_destination(out));
    if (inserted) {
      ++flows_per_backend[it->second];
      // A new flow takes the ring slot its hash selects.
      const uint32_t slot = documented_hash(packet.bytes) % kRingSize;
      const uint32_t chosen = u32_at(lookup(balancer.map("ring"), bytes_of(slot)));
      EXPECT_EQ(it->second, kWebBackends.at(chosen));
    } else {
      EXPECT_EQ(it->second, outer_destination(out)) << "a flow changed backend";
    }
  }
  EXPECT_EQ(backend_of_flow.size(), 400u);
  ASSERT_EQ(flows_per_backend.size(), 4u);
  for (const auto& [backend, flows] : flows_per_backend) {
    EXPECT_GT(flows, 60u) << backend << " of 400 flows (100 expected)";
  }
}

TEST(XdpLoadBalancer, EstablishedFlowsKeepTheirBackendWhenTheRingChanges) {
  ProgramRunner balancer("xdp_load_balancer");
  const auto old_flow =
      ipv4_frame("198.51.100.7", "10.100.0.1", 40000, 80, traffic::kIpProtocolTcp, 80);
  const XdpOutcome first = balancer.run(old_flow);
  expect_balanced(old_flow, first, kWebBackends);
  const std::string old_backend = outer_destination(first);

  // Hand every slot of the web service to a backend the old flow does not use.
  const uint32_t other = old_backend == kWebBackends[1] ? 2 : 1;
  ebpf::Map& ring = balancer.map("ring");
  for (uint32_t slot = 0; slot < kRingSize; ++slot) {
    ASSERT_EQ(ring.host_update(&slot, &other, ebpf::kMapUpdateAny), 0);
  }
  const XdpOutcome again = balancer.run(old_flow);
  expect_balanced(old_flow, again, kWebBackends);
  EXPECT_EQ(outer_destination(again), old_backend) << "the connection table must win";

  const auto new_flow =
      ipv4_frame("198.51.100.8", "10.100.0.1", 40001, 80, traffic::kIpProtocolTcp, 80);
  const XdpOutcome fresh = balancer.run(new_flow);
  expect_balanced(new_flow, fresh, kWebBackends);
  EXPECT_EQ(outer_destination(fresh), kWebBackends[other]);

  // The connection table holds both flows with their backend numbers.
  std::vector<uint8_t> key = slice(old_flow, 26, 38);
  key.insert(key.end(), {traffic::kIpProtocolTcp, 0, 0, 0});
  const std::vector<uint8_t> value = lookup(balancer.map("connections"), key);
  ASSERT_EQ(value.size(), 4u);
  EXPECT_EQ(kWebBackends.at(u32_at(value)), old_backend);
}

TEST(XdpLoadBalancer, ServicesAndProtocols) {
  ProgramRunner balancer("xdp_load_balancer");
  const auto udp_web = ipv4_frame("198.51.100.1", "10.100.0.1", 5000, 80);
  expect_balanced(udp_web, balancer.run(udp_web), kWebBackends);
  const auto dns = ipv4_frame("198.51.100.1", "10.100.0.2", 5000, 53, traffic::kIpProtocolUdp, 100);
  expect_balanced(dns, balancer.run(dns), kDnsBackends);
}

TEST(XdpLoadBalancer, NonVipTrafficPasses) {
  ProgramRunner balancer("xdp_load_balancer");
  traffic::FrameFields fragment = ipv4_fields("198.51.100.1", "10.100.0.1", 5000, 80);
  fragment.dont_fragment = false;
  auto fragment_frame = traffic::build_frame(fragment);
  fragment_frame[20] |= 0x20;  // more fragments (the header checksum is not the point here)
  for (const auto& frame : {
           ipv4_frame("198.51.100.1", "10.100.0.9", 5000, 80),                           // no VIP
           ipv4_frame("198.51.100.1", "10.100.0.1", 5000, 81),                           // port
           ipv4_frame("198.51.100.1", "10.100.0.2", 5000, 53, traffic::kIpProtocolTcp),  // proto
           fragment_frame,
           ipv6_frame(),
           arp_frame(),
       }) {
    const XdpOutcome out = balancer.run(frame);
    EXPECT_EQ(out.action, XdpAction::Pass) << out.diagnostic;
    EXPECT_EQ(out.packet, frame);
  }
  EXPECT_EQ(balancer.run(slice(ipv4_frame("198.51.100.1", "10.100.0.1"), 0, 36)).action,
            XdpAction::Drop);
}

}  // namespace
}  // namespace nicsim::bench::test
