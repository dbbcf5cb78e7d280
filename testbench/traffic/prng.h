#pragma once
// A small seeded generator (SplitMix64) with our own bounded draw: the standard library's
// distributions differ between implementations, and generated traffic must be the same
// everywhere for a given seed.

#include <cstdint>

namespace nicsim::traffic {

class Prng {
 public:
  explicit Prng(uint64_t seed) : state_(seed) {}

  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  // A value in [0, bound), bound > 0 (multiply-high; the bias is below 2^-64 * bound).
  uint64_t below(uint64_t bound) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(next()) * bound) >> 64);
  }

 private:
  uint64_t state_;
};

}  // namespace nicsim::traffic
