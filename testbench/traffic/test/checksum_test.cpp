#include "testbench/traffic/checksum.h"

#include <gtest/gtest.h>

#include <vector>

#include "testbench/traffic/prng.h"
#include "testbench/traffic/test/packet_inspector.h"

namespace nicsim::traffic {
namespace {

TEST(Checksum, Rfc1071WorkedExample) {
  // RFC 1071 section 3: these bytes sum to 0xddf2 after folding.
  const std::vector<uint8_t> bytes = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(ChecksumAccumulator().add(bytes).folded(), 0xddf2);
  EXPECT_EQ(internet_checksum(bytes), static_cast<uint16_t>(~0xddf2));
}

TEST(Checksum, KnownIpv4Header) {
  // A header whose correct checksum (0xb861) is widely published (e.g. Wikipedia's
  // "Internet checksum" example); the field is ignored when computing.
  const std::vector<uint8_t> header = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                                       0xde, 0xad, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  EXPECT_EQ(ipv4_header_checksum(header), 0xb861);
  std::vector<uint8_t> with_checksum = header;
  with_checksum[10] = 0xb8;
  with_checksum[11] = 0x61;
  EXPECT_EQ(internet_checksum(with_checksum), 0);
}

TEST(Checksum, OddLengthPadsWithZero) {
  EXPECT_EQ(ChecksumAccumulator().add(std::vector<uint8_t>{0x12, 0x34, 0x56}).folded(), 0x6834);
}

TEST(Checksum, AgreesWithModularSum) {
  Prng random(7);
  for (int round = 0; round < 200; ++round) {
    std::vector<uint8_t> bytes(2 * (1 + random.below(300)));
    for (uint8_t& byte : bytes)
      byte = static_cast<uint8_t>(random.next());
    const uint16_t checksum = internet_checksum(bytes);
    bytes.push_back(static_cast<uint8_t>(checksum >> 8));
    bytes.push_back(static_cast<uint8_t>(checksum));
    EXPECT_EQ(testing::sum_mod_ffff(bytes), 0u) << "round " << round;
  }
}

TEST(Checksum, IncrementalUpdateMatchesRecomputation) {
  Prng random(11);
  for (int round = 0; round < 500; ++round) {
    std::vector<uint8_t> header(20);
    for (uint8_t& byte : header)
      byte = static_cast<uint8_t>(random.next());
    header[8] = static_cast<uint8_t>(2 + random.below(254));  // TTL, decremented below
    header[10] = header[11] = 0;
    const uint16_t before = ipv4_header_checksum(header);
    const uint16_t old_word = static_cast<uint16_t>(header[8] << 8 | header[9]);
    header[8] -= 1;
    const uint16_t new_word = static_cast<uint16_t>(header[8] << 8 | header[9]);
    const uint16_t updated = checksum_update(before, old_word, new_word);
    header[10] = static_cast<uint8_t>(updated >> 8);
    header[11] = static_cast<uint8_t>(updated);
    EXPECT_EQ(testing::sum_mod_ffff(header), 0u) << "round " << round;
  }
}

TEST(Checksum, UdpOverIpv4PseudoHeader) {
  // 10.0.0.1:1234 -> 10.0.0.2:80, payload "hi"; checked through the modular sum of the
  // pseudo-header and segment.
  std::vector<uint8_t> segment = {0x04, 0xd2, 0x00, 0x50, 0x00, 0x0a, 0x00, 0x00, 'h', 'i'};
  const uint16_t checksum = transport_checksum_ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, 17, segment);
  segment[6] = static_cast<uint8_t>(checksum >> 8);
  segment[7] = static_cast<uint8_t>(checksum);
  std::vector<uint8_t> pseudo = {10, 0, 0, 1, 10, 0, 0, 2, 0, 17, 0, 10};
  pseudo.insert(pseudo.end(), segment.begin(), segment.end());
  EXPECT_EQ(testing::sum_mod_ffff(pseudo), 0u);
}

}  // namespace
}  // namespace nicsim::traffic
