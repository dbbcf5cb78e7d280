#pragma once
// Internet checksum arithmetic as the kernel's csum_* functions compute it on a
// little-endian 64-bit host: partial sums are 32-bit one's-complement sums of the data taken
// as native 32-bit words.

#include <cstdint>
#include <cstring>

namespace nicsim::ebpf {

// a + b with the carry out of bit 31 added back in (end-around carry).
constexpr uint32_t ones_complement_add32(uint32_t a, uint32_t b) {
  const uint64_t sum = uint64_t{a} + b;
  return static_cast<uint32_t>((sum & 0xffffffff) + (sum >> 32));
}

// csum_partial of `length` bytes (a multiple of 4) added to `seed`.
inline uint32_t csum_partial32(const uint8_t* data, uint32_t length, uint32_t seed) {
  uint32_t sum = seed;
  for (uint32_t i = 0; i + 4 <= length; i += 4) {
    uint32_t word;
    std::memcpy(&word, data + i, 4);
    sum = ones_complement_add32(sum, word);
  }
  return sum;
}

// csum_fold: the 16-bit checksum field value (complemented) for a 32-bit partial sum.
constexpr uint16_t csum_fold(uint32_t sum) {
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

}  // namespace nicsim::ebpf
