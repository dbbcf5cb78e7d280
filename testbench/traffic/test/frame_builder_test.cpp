#include "testbench/traffic/frame_builder.h"

#include <gtest/gtest.h>

#include "ebpf/util/error.h"
#include "testbench/traffic/test/packet_inspector.h"

namespace nicsim::traffic {
namespace {

FrameFields udp4_fields() {
  FrameFields fields;
  fields.destination_mac = {0x02, 0, 0, 0, 0, 0x02};
  fields.source_mac = {0x02, 0, 0, 0, 0, 0x01};
  fields.flow.version = IpVersion::V4;
  fields.flow.protocol = kIpProtocolUdp;
  fields.flow.source = address_in_prefix(parse_ip_prefix("10.0.0.1"), 0);
  fields.flow.destination = address_in_prefix(parse_ip_prefix("192.168.1.2"), 0);
  fields.flow.source_port = 1234;
  fields.flow.destination_port = 80;
  fields.frame_size = 60;
  fields.ttl = 17;
  return fields;
}

TEST(FrameBuilder, Ipv4UdpLayout) {
  const std::vector<uint8_t> frame = build_frame(udp4_fields());
  ASSERT_EQ(frame.size(), 60u);
  // Ethernet: destination, source, EtherType 0x0800.
  EXPECT_EQ(std::vector<uint8_t>(frame.begin(), frame.begin() + 14),
            (std::vector<uint8_t>{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00}));
  EXPECT_EQ(frame[14], 0x45);
  EXPECT_EQ(testing::be16(frame, 16), 46u);  // 60 - 14
  EXPECT_EQ(frame[22], 17);                  // TTL
  EXPECT_EQ(frame[23], 17);                  // UDP
  EXPECT_EQ(std::vector<uint8_t>(frame.begin() + 26, frame.begin() + 34),
            (std::vector<uint8_t>{10, 0, 0, 1, 192, 168, 1, 2}));
  EXPECT_EQ(testing::be16(frame, 34), 1234u);
  EXPECT_EQ(testing::be16(frame, 36), 80u);
  EXPECT_EQ(testing::be16(frame, 38), 26u);  // UDP length: 46 - 20
  auto inspected = testing::inspect_frame(frame);
  ASSERT_TRUE(inspected);
  EXPECT_TRUE(inspected->ip_checksum_ok);
  EXPECT_TRUE(inspected->l4_checksum_ok);
}

TEST(FrameBuilder, Ipv6TcpLayout) {
  FrameFields fields = udp4_fields();
  fields.flow.version = IpVersion::V6;
  fields.flow.protocol = kIpProtocolTcp;
  fields.flow.source = address_in_prefix(parse_ip_prefix("fd00::1"), 0);
  fields.flow.destination = address_in_prefix(parse_ip_prefix("fd00::2"), 0);
  fields.frame_size = 100;
  fields.tcp_flags = kTcpSyn;
  fields.tcp_sequence = 0x01020304;
  fields.ipv6_flow_label = 0xabcde;
  const std::vector<uint8_t> frame = build_frame(fields);
  ASSERT_EQ(frame.size(), 100u);
  EXPECT_EQ(testing::be16(frame, 12), 0x86ddu);
  EXPECT_EQ(frame[14], 0x60);
  EXPECT_EQ((frame[15] & 0x0f) << 16 | frame[16] << 8 | frame[17], 0xabcde);
  EXPECT_EQ(testing::be16(frame, 18), 46u);  // payload length: 100 - 14 - 40
  EXPECT_EQ(frame[20], 6);
  EXPECT_EQ(frame[21], 17);         // hop limit
  EXPECT_EQ(frame[54 + 12], 0x50);  // data offset: 5 words
  EXPECT_EQ(frame[54 + 13], kTcpSyn);
  EXPECT_EQ(frame[54 + 4], 0x01);
  auto inspected = testing::inspect_frame(frame);
  ASSERT_TRUE(inspected);
  EXPECT_TRUE(inspected->l4_checksum_ok);
}

TEST(FrameBuilder, PayloadDependsOnSeed) {
  FrameFields fields = udp4_fields();
  fields.frame_size = 200;
  fields.payload_seed = 1;
  const auto first = build_frame(fields);
  fields.payload_seed = 2;
  const auto second = build_frame(fields);
  EXPECT_NE(first, second);
  EXPECT_EQ(std::vector<uint8_t>(first.begin(), first.begin() + 38),
            std::vector<uint8_t>(second.begin(), second.begin() + 38));
}

TEST(FrameBuilder, RefusesImpossibleSizes) {
  FrameFields fields = udp4_fields();
  fields.frame_size = 41;  // 14 + 20 + 8 - 1
  EXPECT_THROW(build_frame(fields), Error);
  fields.frame_size = 42;
  EXPECT_EQ(build_frame(fields).size(), 42u);
  fields.frame_size = kMaxFrameSize + 1;
  EXPECT_THROW(build_frame(fields), Error);
  fields.frame_size = 60;
  fields.flow.protocol = 1;  // ICMP
  EXPECT_THROW(build_frame(fields), Error);
}

TEST(FrameBuilder, HeaderLengths) {
  EXPECT_EQ(header_length(IpVersion::V4, kIpProtocolUdp), 42u);
  EXPECT_EQ(header_length(IpVersion::V4, kIpProtocolTcp), 54u);
  EXPECT_EQ(header_length(IpVersion::V6, kIpProtocolUdp), 62u);
  EXPECT_EQ(header_length(IpVersion::V6, kIpProtocolTcp), 74u);
}

}  // namespace
}  // namespace nicsim::traffic
