#pragma once
// Loads and stores of 1 to 8 bytes of host memory, for the engines that run NIC code (the
// SystemC model's core and the RTL system's memory ports).

#include <cstdint>
#include <cstring>

namespace nicsim::model {

// nicsim runs on little-endian hosts. Every access size (1 to 8 bytes; merged accesses
// make 3, 5, 6 and 7 common) is a fixed-size copy, a move or two, rather than a call to
// memcpy with a variable size.
template <uint32_t N>
inline uint64_t load_n(const uint8_t* p) {
  uint64_t v = 0;
  std::memcpy(&v, p, N);
  return v;
}

template <uint32_t N>
inline void store_n(uint8_t* p, uint64_t v) {
  std::memcpy(p, &v, N);
}

inline uint64_t load_le(const uint8_t* p, uint32_t size) {
  switch (size) {
    case 1:
      return load_n<1>(p);
    case 2:
      return load_n<2>(p);
    case 3:
      return load_n<3>(p);
    case 4:
      return load_n<4>(p);
    case 5:
      return load_n<5>(p);
    case 6:
      return load_n<6>(p);
    case 7:
      return load_n<7>(p);
    default:
      return load_n<8>(p);  // the encoding holds sizes 1..8 only
  }
}

inline void store_le(uint8_t* p, uint32_t size, uint64_t v) {
  switch (size) {
    case 1:
      return store_n<1>(p, v);
    case 2:
      return store_n<2>(p, v);
    case 3:
      return store_n<3>(p, v);
    case 4:
      return store_n<4>(p, v);
    case 5:
      return store_n<5>(p, v);
    case 6:
      return store_n<6>(p, v);
    case 7:
      return store_n<7>(p, v);
    default:
      return store_n<8>(p, v);
  }
}

}  // namespace nicsim::model
