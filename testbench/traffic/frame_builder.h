#pragma once
// Builds one Ethernet + IPv4/IPv6 + UDP/TCP frame with every length and checksum filled in.
// Shared by the traffic generator and by tests that need a packet with chosen fields.

#include <cstdint>
#include <vector>

#include "testbench/traffic/addresses.h"

namespace nicsim::traffic {

constexpr uint8_t kIpProtocolTcp = 6;
constexpr uint8_t kIpProtocolUdp = 17;
constexpr uint16_t kEtherTypeIpv4 = 0x0800;
constexpr uint16_t kEtherTypeIpv6 = 0x86dd;

constexpr uint32_t kEthernetHeaderLength = 14;
constexpr uint32_t kIpv4HeaderLength = 20;
constexpr uint32_t kIpv6HeaderLength = 40;
constexpr uint32_t kUdpHeaderLength = 8;
constexpr uint32_t kTcpHeaderLength = 20;
// The shortest Ethernet frame without its FCS (64 bytes on the wire).
constexpr uint32_t kMinFrameSize = 60;
// Jumbo frames up to 9216 bytes, the common switch maximum.
constexpr uint32_t kMaxFrameSize = 9216;

constexpr uint8_t kTcpFin = 0x01;
constexpr uint8_t kTcpSyn = 0x02;
constexpr uint8_t kTcpPsh = 0x08;
constexpr uint8_t kTcpAck = 0x10;

struct FlowTuple {
  IpVersion version = IpVersion::V4;
  uint8_t protocol = kIpProtocolUdp;  // kIpProtocolUdp or kIpProtocolTcp
  IpBytes source{};
  IpBytes destination{};
  uint16_t source_port = 0;
  uint16_t destination_port = 0;

  auto operator<=>(const FlowTuple&) const = default;
};

struct FrameFields {
  MacAddress destination_mac{};
  MacAddress source_mac{};
  FlowTuple flow;
  uint32_t frame_size = kMinFrameSize;  // Ethernet header included, FCS excluded
  uint8_t ttl = 64;                     // IPv4 TTL or IPv6 hop limit
  uint8_t tos = 0;                      // IPv4 TOS or IPv6 traffic class
  uint16_t ipv4_id = 0;
  bool dont_fragment = true;
  uint32_t ipv6_flow_label = 0;  // 20 bits
  uint8_t tcp_flags = kTcpAck;
  uint32_t tcp_sequence = 0;
  uint32_t tcp_acknowledgement = 0;
  uint16_t tcp_window = 65535;
  uint64_t payload_seed = 0;  // the payload bytes are a function of it
};

// Ethernet + IP + transport header bytes for that combination.
uint32_t header_length(IpVersion version, uint8_t protocol);

// Throws nicsim::Error when the size cannot hold the headers or exceeds kMaxFrameSize, or
// the protocol is neither UDP nor TCP. Frames shorter than kMinFrameSize are allowed here
// (tests build runts on purpose); the generator enforces the minimum.
std::vector<uint8_t> build_frame(const FrameFields& fields);

}  // namespace nicsim::traffic
