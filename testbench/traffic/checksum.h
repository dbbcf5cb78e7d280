#pragma once
// The Internet checksum (RFC 1071) and its incremental update (RFC 1624). Sums run over
// 16-bit words in network byte order; results are host-order numbers to be stored
// big-endian in the header. A partial sum (`ChecksumAccumulator`) lets callers cover
// pseudo-headers and headers that are not contiguous.

#include <array>
#include <cstdint>
#include <span>

namespace nicsim::traffic {

class ChecksumAccumulator {
 public:
  // Adds bytes as big-endian 16-bit words; an odd trailing byte is padded with zero, so
  // only the last chunk added may have an odd length.
  ChecksumAccumulator& add(std::span<const uint8_t> bytes);
  ChecksumAccumulator& add16(uint16_t word);
  ChecksumAccumulator& add32(uint32_t word);
  // The one's-complement sum folded to 16 bits (not complemented).
  uint16_t folded() const;
  // The checksum field value: the complement of the folded sum.
  uint16_t checksum() const { return static_cast<uint16_t>(~folded()); }

 private:
  uint64_t sum_ = 0;
};

// Checksum of `bytes` (whose checksum field must be zero when computing one). A block that
// already holds a correct checksum yields 0.
uint16_t internet_checksum(std::span<const uint8_t> bytes);

// IPv4 header checksum of `header` (its checksum field is treated as zero).
uint16_t ipv4_header_checksum(std::span<const uint8_t> header);

// TCP/UDP checksum over the pseudo-header and `segment` (the transport header with its
// checksum field zeroed, then the payload). Addresses are in network byte order.
uint16_t transport_checksum_ipv4(const std::array<uint8_t, 4>& source,
                                 const std::array<uint8_t, 4>& destination, uint8_t protocol,
                                 std::span<const uint8_t> segment);
uint16_t transport_checksum_ipv6(const std::array<uint8_t, 16>& source,
                                 const std::array<uint8_t, 16>& destination, uint8_t next_header,
                                 std::span<const uint8_t> segment);

// RFC 1624 eqn. 3: the new checksum after one 16-bit word covered by `checksum` changed from
// `old_word` to `new_word`.
uint16_t checksum_update(uint16_t checksum, uint16_t old_word, uint16_t new_word);

}  // namespace nicsim::traffic
