#include "testbench/traffic/generator.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "ebpf/util/error.h"
#include "testbench/traffic/test/packet_inspector.h"

namespace nicsim::traffic {
namespace {

using testing::inspect_frame;

std::vector<Packet> generate(std::string_view spec) {
  return generate_traffic(parse_traffic_spec(spec));
}

TEST(Generator, SameSeedSamePackets) {
  const auto first = generate("ip=mix,proto=mix,size=imix,flows=50,packets=500,seed=42");
  const auto second = generate("ip=mix,proto=mix,size=imix,flows=50,packets=500,seed=42");
  EXPECT_EQ(first, second);
  const auto other = generate("ip=mix,proto=mix,size=imix,flows=50,packets=500,seed=43");
  EXPECT_NE(first, other);
}

TEST(Generator, MorePacketsKeepTheSameFlows) {
  const auto short_run = generate("flows=20,packets=40,seed=5,order=random");
  const auto long_run = generate("flows=20,packets=400,seed=5,order=random");
  std::set<std::tuple<int, uint8_t, std::vector<uint8_t>, std::vector<uint8_t>, uint16_t, uint16_t>>
      long_flows;
  for (const Packet& packet : long_run)
    long_flows.insert(inspect_frame(packet.bytes)->five_tuple());
  for (const Packet& packet : short_run) {
    EXPECT_TRUE(long_flows.contains(inspect_frame(packet.bytes)->five_tuple()));
  }
}

TEST(Generator, PacketCountAndFixedSize) {
  const auto packets = generate("size=128,packets=300");
  ASSERT_EQ(packets.size(), 300u);
  for (const Packet& packet : packets)
    EXPECT_EQ(packet.bytes.size(), 128u);
}

TEST(Generator, UniformSizesCoverTheRange) {
  const auto packets = generate("size=64-80,packets=5000,flows=10");
  std::set<size_t> sizes;
  for (const Packet& packet : packets)
    sizes.insert(packet.bytes.size());
  EXPECT_EQ(sizes.size(), 17u);
  EXPECT_EQ(*sizes.begin(), 64u);
  EXPECT_EQ(*sizes.rbegin(), 80u);
}

TEST(Generator, ImixProportions) {
  const auto packets = generate("size=imix,packets=12000,flows=100");
  std::map<size_t, int> counts;
  for (const Packet& packet : packets)
    ++counts[packet.bytes.size()];
  ASSERT_EQ(counts.size(), 3u);
  // 7:4:1 of 12000 = 7000, 4000, 1000; allow 5 standard deviations or so.
  EXPECT_NEAR(counts[60], 7000, 300);
  EXPECT_NEAR(counts[590], 4000, 300);
  EXPECT_NEAR(counts[1514], 1000, 160);
}

TEST(Generator, ImixSmallestFrameFitsIpv6Tcp) {
  const auto packets = generate("ip=6,proto=tcp,size=imix,packets=200");
  std::set<size_t> sizes;
  for (const Packet& packet : packets)
    sizes.insert(packet.bytes.size());
  EXPECT_EQ(sizes, (std::set<size_t>{74, 590, 1514}));
}

TEST(Generator, SmallestFramesAreSixtyBytes) {
  const auto packets = generate("size=60,packets=10");
  for (const Packet& packet : packets)
    EXPECT_EQ(packet.bytes.size(), 60u);
  EXPECT_THROW(generate("size=59,packets=10"), Error);
}

void expect_distinct_flows(std::string_view spec, size_t flows) {
  std::set<std::tuple<int, uint8_t, std::vector<uint8_t>, std::vector<uint8_t>, uint16_t, uint16_t>>
      tuples;
  for (const Packet& packet : generate(spec)) {
    auto frame = inspect_frame(packet.bytes);
    ASSERT_TRUE(frame);
    tuples.insert(frame->five_tuple());
  }
  EXPECT_EQ(tuples.size(), flows) << spec;
}

TEST(Generator, FlowCount) {
  expect_distinct_flows("flows=1,packets=100", 1);
  expect_distinct_flows("flows=16,packets=1000,seed=1", 16);
  expect_distinct_flows("ip=6,proto=tcp,flows=1000,packets=3000,size=80", 1000);
  expect_distinct_flows("ip=mix,proto=mix,flows=777,packets=777,size=80", 777);
  // A tiny tuple space, filled completely: 2 sources x 2 destinations x 2 x 2 ports.
  expect_distinct_flows(
      "flows=16,packets=64,src=10.0.0.0/31,dst=10.1.0.0/31,sport=1000-1001,dport=80-81", 16);
  // Fewer packets than flows: every packet its own flow.
  expect_distinct_flows("flows=500,packets=100", 100);
}

TEST(Generator, TooManyFlowsForTheRanges) {
  EXPECT_THROW(generate("flows=17,src=10.0.0.0/31,dst=10.1.0.0/31,sport=1000-1001,dport=80-81"),
               Error);
}

TEST(Generator, ChecksumsAreValid) {
  for (std::string_view spec : {"ip=4,proto=udp,size=64-1500,flows=64,packets=1000",
                                "ip=4,proto=tcp,size=imix,flows=64,packets=1000",
                                "ip=6,proto=udp,size=64-1500,flows=64,packets=1000",
                                "ip=6,proto=tcp,size=imix,flows=64,packets=1000",
                                "ip=mix,proto=mix,size=74-9000,flows=64,packets=300"}) {
    for (const Packet& packet : generate(spec)) {
      auto frame = inspect_frame(packet.bytes);
      ASSERT_TRUE(frame) << spec;
      EXPECT_TRUE(frame->ip_checksum_ok) << spec;
      EXPECT_TRUE(frame->l4_checksum_ok) << spec;
    }
  }
}

TEST(Generator, Ipv6UdpChecksumIsNeverOmitted) {
  for (const Packet& packet : generate("ip=6,proto=udp,flows=500,packets=5000,size=64-200")) {
    auto frame = inspect_frame(packet.bytes);
    ASSERT_TRUE(frame);
    EXPECT_NE(frame->udp_checksum_field, 0u);
    EXPECT_TRUE(frame->l4_checksum_ok);
  }
}

TEST(Generator, LengthFieldsMatchTheFrame) {
  for (const Packet& packet : generate("ip=mix,proto=mix,size=74-1514,flows=40,packets=400")) {
    auto frame = inspect_frame(packet.bytes);
    ASSERT_TRUE(frame);
    const uint32_t ip_header = frame->ip_version == 4 ? 0 : 40;
    EXPECT_EQ(frame->ip_length_field + ip_header + 14, packet.bytes.size());
  }
}

TEST(Generator, AddressesAndPortsStayInRange) {
  const auto packets = generate(
      "flows=200,packets=200,src=172.16.4.0/22,dst=10.9.8.0/24,sport=5000-5009,"
      "dport=53,ttl=9");
  for (const Packet& packet : packets) {
    auto frame = inspect_frame(packet.bytes);
    ASSERT_TRUE(frame);
    EXPECT_EQ(frame->source[0], 172);
    EXPECT_EQ(frame->source[1], 16);
    EXPECT_EQ(frame->source[2] & 0xfc, 4);
    EXPECT_EQ(frame->destination[0], 10);
    EXPECT_EQ(frame->destination[1], 9);
    EXPECT_EQ(frame->destination[2], 8);
    EXPECT_GE(frame->source_port, 5000);
    EXPECT_LE(frame->source_port, 5009);
    EXPECT_EQ(frame->destination_port, 53);
    EXPECT_EQ(frame->ttl, 9u);
  }
}

TEST(Generator, Ipv6AddressesInPrefix) {
  for (const Packet& packet : generate("ip=6,flows=50,packets=50,src6=2001:db8:1::/48")) {
    auto frame = inspect_frame(packet.bytes);
    ASSERT_TRUE(frame);
    EXPECT_EQ(frame->ip_version, 6);
    EXPECT_EQ(std::vector<uint8_t>(frame->source.begin(), frame->source.begin() + 6),
              (std::vector<uint8_t>{0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01}));
    EXPECT_EQ(frame->destination[0], 0xfd);  // default dst6 fd00:b::/64
  }
}

TEST(Generator, TimestampsFollowTheRate) {
  const auto packets = generate("packets=10,rate=4M");
  for (size_t i = 0; i < packets.size(); ++i)
    EXPECT_EQ(packets[i].timestamp_ns, i * 250);
  const auto slow = generate("packets=4,rate=3");
  EXPECT_EQ(slow[1].timestamp_ns, 333'333'333u);
  EXPECT_EQ(slow[3].timestamp_ns, 1'000'000'000u);
}

TEST(Generator, QueuesAndIfindex) {
  std::set<uint32_t> queues;
  for (const Packet& packet : generate("flows=32,packets=64,queues=4,ifindex=7")) {
    queues.insert(packet.rx_queue_index);
    EXPECT_EQ(packet.ingress_ifindex, 7u);
  }
  EXPECT_EQ(queues, (std::set<uint32_t>{0, 1, 2, 3}));
}

TEST(Generator, TcpFlowsStartWithSyn) {
  std::set<std::tuple<int, uint8_t, std::vector<uint8_t>, std::vector<uint8_t>, uint16_t, uint16_t>>
      seen;
  for (const Packet& packet : generate("proto=tcp,flows=10,packets=50,order=random,size=100")) {
    auto frame = inspect_frame(packet.bytes);
    ASSERT_TRUE(frame);
    const bool first = seen.insert(frame->five_tuple()).second;
    EXPECT_EQ(frame->tcp_flags, first ? kTcpSyn : (kTcpAck | kTcpPsh));
  }
}

TEST(Generator, StreamingMatchesBatch) {
  const TrafficSpec spec = parse_traffic_spec("flows=5,packets=20,size=64-128");
  TrafficGenerator generator(spec);
  std::vector<Packet> streamed;
  while (!generator.done())
    streamed.push_back(generator.next());
  EXPECT_EQ(streamed, generate_traffic(spec));
  EXPECT_EQ(generator.flows().size(), 5u);
  EXPECT_THROW(generator.next(), Error);
}

}  // namespace
}  // namespace nicsim::traffic
