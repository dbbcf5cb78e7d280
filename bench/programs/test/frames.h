#pragma once
// Frames with chosen fields for the program tests, built by the traffic library, and
// independent readers of the fields the programs rewrite.

#include <cstdint>
#include <string>
#include <vector>

#include "testbench/traffic/frame_builder.h"
#include "testbench/traffic/test/packet_inspector.h"

namespace nicsim::bench::test {

inline traffic::IpBytes ip(const std::string& text) {
  return traffic::address_in_prefix(traffic::parse_ip_prefix(text), 0);
}

inline traffic::FrameFields ipv4_fields(const std::string& source, const std::string& destination,
                                        uint16_t source_port, uint16_t destination_port,
                                        uint8_t protocol = traffic::kIpProtocolUdp,
                                        uint32_t size = 64) {
  traffic::FrameFields fields;
  fields.source_mac = {0x02, 0, 0, 0, 0, 0x01};
  fields.destination_mac = {0x02, 0, 0, 0, 0, 0x02};
  fields.flow.version = traffic::IpVersion::V4;
  fields.flow.protocol = protocol;
  fields.flow.source = ip(source);
  fields.flow.destination = ip(destination);
  fields.flow.source_port = source_port;
  fields.flow.destination_port = destination_port;
  fields.frame_size = size;
  fields.tcp_flags = traffic::kTcpSyn;
  return fields;
}

inline std::vector<uint8_t> ipv4_frame(const std::string& source, const std::string& destination,
                                       uint16_t source_port = 1234, uint16_t destination_port = 80,
                                       uint8_t protocol = traffic::kIpProtocolUdp,
                                       uint32_t size = 64) {
  return traffic::build_frame(
      ipv4_fields(source, destination, source_port, destination_port, protocol, size));
}

inline std::vector<uint8_t> ipv6_frame() {
  traffic::FrameFields fields = ipv4_fields("10.0.0.1", "10.0.0.2", 1, 2);
  fields.flow.version = traffic::IpVersion::V6;
  fields.flow.source = ip("fd00::1");
  fields.flow.destination = ip("fd00::2");
  fields.frame_size = 80;
  return traffic::build_frame(fields);
}

// A 60-byte ARP-typed frame (EtherType 0x0806), contents otherwise arbitrary.
inline std::vector<uint8_t> arp_frame() {
  std::vector<uint8_t> frame(60, 0xab);
  frame[12] = 0x08;
  frame[13] = 0x06;
  return frame;
}

inline std::vector<uint8_t> slice(const std::vector<uint8_t>& bytes, size_t begin, size_t end) {
  return {bytes.begin() + static_cast<std::ptrdiff_t>(begin),
          bytes.begin() + static_cast<std::ptrdiff_t>(end)};
}

inline std::vector<uint8_t> mac_bytes(const std::string& text) {
  const traffic::MacAddress mac = traffic::parse_mac(text);
  return {mac.begin(), mac.end()};
}

inline std::vector<uint8_t> ipv4_bytes(const std::string& text) {
  const traffic::IpBytes address = ip(text);
  return {address.begin(), address.begin() + 4};
}

// Whether the 20-byte IPv4 header at `offset` has a correct checksum.
inline bool ipv4_checksum_ok(const std::vector<uint8_t>& frame, size_t offset) {
  return frame.size() >= offset + 20 &&
         traffic::testing::sum_mod_ffff(std::span(frame).subspan(offset, 20)) == 0;
}

}  // namespace nicsim::bench::test
