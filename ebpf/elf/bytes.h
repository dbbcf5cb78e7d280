#pragma once
// Little-endian field reads from ELF section contents. Callers check bounds first; these
// only assemble bytes, so they never read unaligned memory through a cast.

#include <cstddef>
#include <cstdint>
#include <span>

namespace nicsim::ebpf::elf {

inline uint32_t load_le32(std::span<const uint8_t> bytes, size_t offset) {
  return static_cast<uint32_t>(bytes[offset]) | static_cast<uint32_t>(bytes[offset + 1]) << 8 |
         static_cast<uint32_t>(bytes[offset + 2]) << 16 |
         static_cast<uint32_t>(bytes[offset + 3]) << 24;
}

inline uint16_t load_le16(std::span<const uint8_t> bytes, size_t offset) {
  return static_cast<uint16_t>(bytes[offset] | bytes[offset + 1] << 8);
}

// True when [offset, offset + length) lies inside a buffer of `size` bytes (no overflow).
inline bool fits(uint64_t offset, uint64_t length, uint64_t size) {
  return offset <= size && length <= size - offset;
}

}  // namespace nicsim::ebpf::elf
