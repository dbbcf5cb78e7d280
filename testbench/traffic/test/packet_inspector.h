#pragma once
// A deliberately separate reading of generated frames, for the tests: fixed offsets and the
// modular form of the Internet checksum (a correct block sums to 0 modulo 0xffff), so that
// a mistake in the library's writer and checksum code is not mirrored here.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <tuple>
#include <vector>

namespace nicsim::traffic::testing {

inline uint32_t be16(std::span<const uint8_t> bytes, size_t at) {
  return uint32_t{bytes[at]} << 8 | bytes[at + 1];
}

// Sum of big-endian 16-bit words (odd byte padded) reduced modulo 0xffff: one's-complement
// addition is addition modulo 2^16 - 1.
inline uint64_t sum_mod_ffff(std::span<const uint8_t> bytes) {
  uint64_t sum = 0;
  for (size_t i = 0; i < bytes.size(); i += 2) {
    uint32_t word = uint32_t{bytes[i]} << 8;
    if (i + 1 < bytes.size()) word |= bytes[i + 1];
    sum += word;
  }
  return sum % 0xffff;
}

struct InspectedFrame {
  int ip_version = 0;
  uint8_t protocol = 0;
  std::vector<uint8_t> source;       // 4 or 16 bytes
  std::vector<uint8_t> destination;  // 4 or 16 bytes
  uint16_t source_port = 0;
  uint16_t destination_port = 0;
  uint32_t ip_length_field = 0;  // IPv4 total length or IPv6 payload length
  uint32_t ttl = 0;
  uint32_t l4_offset = 0;
  uint8_t tcp_flags = 0;
  bool ip_checksum_ok = false;  // IPv6 has none: true
  bool l4_checksum_ok = false;
  uint32_t udp_checksum_field = 0;

  auto five_tuple() const {
    return std::tuple(ip_version, protocol, source, destination, source_port, destination_port);
  }
};

inline std::optional<InspectedFrame> inspect_frame(std::span<const uint8_t> frame) {
  if (frame.size() < 14) return std::nullopt;
  InspectedFrame out;
  const uint32_t ether_type = be16(frame, 12);
  std::vector<uint8_t> pseudo;
  uint32_t segment_length = 0;
  if (ether_type == 0x0800) {
    if (frame.size() < 34 || frame[14] != 0x45) return std::nullopt;
    out.ip_version = 4;
    out.ip_length_field = be16(frame, 16);
    out.ttl = frame[22];
    out.protocol = frame[23];
    out.source.assign(frame.begin() + 26, frame.begin() + 30);
    out.destination.assign(frame.begin() + 30, frame.begin() + 34);
    out.ip_checksum_ok = sum_mod_ffff(frame.subspan(14, 20)) == 0;
    out.l4_offset = 34;
    segment_length = out.ip_length_field - 20;
    pseudo.insert(pseudo.end(), frame.begin() + 26, frame.begin() + 34);
    pseudo.insert(pseudo.end(), {0, out.protocol});
  } else if (ether_type == 0x86dd) {
    if (frame.size() < 54 || frame[14] >> 4 != 6) return std::nullopt;
    out.ip_version = 6;
    out.ip_length_field = be16(frame, 18);
    out.protocol = frame[20];
    out.ttl = frame[21];
    out.source.assign(frame.begin() + 22, frame.begin() + 38);
    out.destination.assign(frame.begin() + 38, frame.begin() + 54);
    out.ip_checksum_ok = true;
    out.l4_offset = 54;
    segment_length = out.ip_length_field;
    pseudo.insert(pseudo.end(), frame.begin() + 22, frame.begin() + 54);
    pseudo.insert(pseudo.end(), {0, 0, 0, out.protocol});
  } else {
    return std::nullopt;
  }
  if (out.l4_offset + segment_length > frame.size() || segment_length < 8) return std::nullopt;
  pseudo.push_back(static_cast<uint8_t>(segment_length >> 8));
  pseudo.push_back(static_cast<uint8_t>(segment_length));
  auto segment = frame.subspan(out.l4_offset, segment_length);
  out.source_port = static_cast<uint16_t>(be16(segment, 0));
  out.destination_port = static_cast<uint16_t>(be16(segment, 2));
  if (out.protocol == 6) out.tcp_flags = segment[13];
  if (out.protocol == 17) out.udp_checksum_field = be16(segment, 6);
  // An even-length pseudo-header keeps word alignment, so the two sums simply add.
  out.l4_checksum_ok = (sum_mod_ffff(pseudo) + sum_mod_ffff(segment)) % 0xffff == 0;
  return out;
}

}  // namespace nicsim::traffic::testing
