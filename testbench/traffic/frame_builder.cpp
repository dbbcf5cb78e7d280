#include "testbench/traffic/frame_builder.h"

#include <fmt/format.h>

#include <algorithm>
#include <span>

#include "ebpf/util/error.h"
#include "testbench/traffic/checksum.h"

namespace nicsim::traffic {

namespace {

void put16(uint8_t* at, uint16_t value) {
  at[0] = static_cast<uint8_t>(value >> 8);
  at[1] = static_cast<uint8_t>(value);
}

void put32(uint8_t* at, uint32_t value) {
  put16(at, static_cast<uint16_t>(value >> 16));
  put16(at + 2, static_cast<uint16_t>(value));
}

std::array<uint8_t, 4> ipv4_bytes(const IpBytes& address) {
  return {address[0], address[1], address[2], address[3]};
}

uint32_t ip_header_length(IpVersion version) {
  return version == IpVersion::V4 ? kIpv4HeaderLength : kIpv6HeaderLength;
}

uint32_t transport_header_length(uint8_t protocol) {
  return protocol == kIpProtocolTcp ? kTcpHeaderLength : kUdpHeaderLength;
}

void write_ethernet(const FrameFields& fields, uint8_t* at) {
  std::copy(fields.destination_mac.begin(), fields.destination_mac.end(), at);
  std::copy(fields.source_mac.begin(), fields.source_mac.end(), at + 6);
  put16(at + 12, fields.flow.version == IpVersion::V4 ? kEtherTypeIpv4 : kEtherTypeIpv6);
}

void write_ipv4(const FrameFields& fields, uint32_t total_length, uint8_t* at) {
  at[0] = 0x45;  // version 4, 5 words of header
  at[1] = fields.tos;
  put16(at + 2, static_cast<uint16_t>(total_length));
  put16(at + 4, fields.ipv4_id);
  put16(at + 6, fields.dont_fragment ? 0x4000 : 0);
  at[8] = fields.ttl;
  at[9] = fields.flow.protocol;
  put16(at + 10, 0);
  std::copy_n(fields.flow.source.begin(), 4, at + 12);
  std::copy_n(fields.flow.destination.begin(), 4, at + 16);
  put16(at + 10, ipv4_header_checksum({at, kIpv4HeaderLength}));
}

void write_ipv6(const FrameFields& fields, uint32_t payload_length, uint8_t* at) {
  put32(at, 6u << 28 | uint32_t{fields.tos} << 20 | (fields.ipv6_flow_label & 0xfffff));
  put16(at + 4, static_cast<uint16_t>(payload_length));
  at[6] = fields.flow.protocol;
  at[7] = fields.ttl;
  std::copy(fields.flow.source.begin(), fields.flow.source.end(), at + 8);
  std::copy(fields.flow.destination.begin(), fields.flow.destination.end(), at + 24);
}

void write_transport_header(const FrameFields& fields, uint32_t segment_length, uint8_t* at) {
  put16(at, fields.flow.source_port);
  put16(at + 2, fields.flow.destination_port);
  if (fields.flow.protocol == kIpProtocolUdp) {
    put16(at + 4, static_cast<uint16_t>(segment_length));
    put16(at + 6, 0);
    return;
  }
  put32(at + 4, fields.tcp_sequence);
  put32(at + 8, fields.tcp_acknowledgement);
  at[12] = (kTcpHeaderLength / 4) << 4;
  at[13] = fields.tcp_flags;
  put16(at + 14, fields.tcp_window);
  put16(at + 16, 0);  // checksum, filled in below
  put16(at + 18, 0);  // urgent pointer
}

// Payload bytes: a xorshift stream from the seed, so that different packets differ and a
// program that copies or corrupts payload is caught.
void write_payload(uint64_t seed, std::span<uint8_t> payload) {
  uint64_t state = seed * 0x9e3779b97f4a7c15ULL + 0x6a09e667f3bcc909ULL;
  for (uint8_t& byte : payload) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    byte = static_cast<uint8_t>(state >> 32);
  }
}

}  // namespace

uint32_t header_length(IpVersion version, uint8_t protocol) {
  return kEthernetHeaderLength + ip_header_length(version) + transport_header_length(protocol);
}

std::vector<uint8_t> build_frame(const FrameFields& fields) {
  const FlowTuple& flow = fields.flow;
  if (flow.protocol != kIpProtocolUdp && flow.protocol != kIpProtocolTcp) {
    throw Error(
        fmt::format("cannot build a frame for IP protocol {} (UDP or TCP only)", flow.protocol));
  }
  const uint32_t headers = header_length(flow.version, flow.protocol);
  if (fields.frame_size < headers || fields.frame_size > kMaxFrameSize) {
    throw Error(fmt::format("frame size {} is outside {}..{} for IPv{}/{}", fields.frame_size,
                            headers, kMaxFrameSize, static_cast<int>(flow.version),
                            flow.protocol == kIpProtocolTcp ? "TCP" : "UDP"));
  }
  std::vector<uint8_t> frame(fields.frame_size);
  const uint32_t ip_offset = kEthernetHeaderLength;
  const uint32_t l4_offset = ip_offset + ip_header_length(flow.version);
  const uint32_t segment_length = fields.frame_size - l4_offset;
  uint8_t* l4 = frame.data() + l4_offset;

  write_ethernet(fields, frame.data());
  write_transport_header(fields, segment_length, l4);
  const uint32_t transport_header = transport_header_length(flow.protocol);
  write_payload(fields.payload_seed, std::span(frame).subspan(l4_offset + transport_header));

  std::span<const uint8_t> segment(l4, segment_length);
  uint16_t checksum;
  if (flow.version == IpVersion::V4) {
    write_ipv4(fields, fields.frame_size - ip_offset, frame.data() + ip_offset);
    checksum = transport_checksum_ipv4(ipv4_bytes(flow.source), ipv4_bytes(flow.destination),
                                       flow.protocol, segment);
  } else {
    write_ipv6(fields, segment_length, frame.data() + ip_offset);
    checksum = transport_checksum_ipv6(flow.source, flow.destination, flow.protocol, segment);
  }
  // RFC 768: a computed UDP checksum of zero is sent as all ones (zero means "none").
  if (flow.protocol == kIpProtocolUdp && checksum == 0) checksum = 0xffff;
  put16(l4 + (flow.protocol == kIpProtocolUdp ? 6 : 16), checksum);
  return frame;
}

}  // namespace nicsim::traffic
