#include "testbench/traffic/checksum.h"

namespace nicsim::traffic {

ChecksumAccumulator& ChecksumAccumulator::add(std::span<const uint8_t> bytes) {
  size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) {
    sum_ += static_cast<uint32_t>(bytes[i]) << 8 | bytes[i + 1];
  }
  if (i < bytes.size()) sum_ += static_cast<uint32_t>(bytes[i]) << 8;
  return *this;
}

ChecksumAccumulator& ChecksumAccumulator::add16(uint16_t word) {
  sum_ += word;
  return *this;
}

ChecksumAccumulator& ChecksumAccumulator::add32(uint32_t word) {
  sum_ += word >> 16;
  sum_ += word & 0xffff;
  return *this;
}

uint16_t ChecksumAccumulator::folded() const {
  uint64_t sum = sum_;
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

uint16_t internet_checksum(std::span<const uint8_t> bytes) {
  return ChecksumAccumulator().add(bytes).checksum();
}

uint16_t ipv4_header_checksum(std::span<const uint8_t> header) {
  constexpr size_t kChecksumOffset = 10;
  ChecksumAccumulator sum;
  if (header.size() < kChecksumOffset + 2) return sum.add(header).checksum();
  sum.add(header.first(kChecksumOffset));
  sum.add(header.subspan(kChecksumOffset + 2));
  return sum.checksum();
}

uint16_t transport_checksum_ipv4(const std::array<uint8_t, 4>& source,
                                 const std::array<uint8_t, 4>& destination, uint8_t protocol,
                                 std::span<const uint8_t> segment) {
  ChecksumAccumulator sum;
  sum.add(source).add(destination).add16(protocol).add32(static_cast<uint32_t>(segment.size()));
  return sum.add(segment).checksum();
}

uint16_t transport_checksum_ipv6(const std::array<uint8_t, 16>& source,
                                 const std::array<uint8_t, 16>& destination, uint8_t next_header,
                                 std::span<const uint8_t> segment) {
  ChecksumAccumulator sum;
  sum.add(source).add(destination).add32(static_cast<uint32_t>(segment.size()));
  sum.add16(next_header);
  return sum.add(segment).checksum();
}

uint16_t checksum_update(uint16_t checksum, uint16_t old_word, uint16_t new_word) {
  ChecksumAccumulator sum;
  sum.add16(static_cast<uint16_t>(~checksum));
  sum.add16(static_cast<uint16_t>(~old_word));
  sum.add16(new_word);
  return sum.checksum();
}

}  // namespace nicsim::traffic
