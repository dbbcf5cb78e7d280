#pragma once
// Division and remainder of 32-bit numbers by a divisor fixed at load (a map region's slot
// stride), as multiplications: a hardware division takes tens of host cycles on every access
// to map memory. With m = floor((2^64 - 1) / d) + 1, for every 32-bit n and divisor d > 1,
// n / d = floor(m * n / 2^64) and n % d = floor((m * n mod 2^64) * d / 2^64) (Lemire, Kaser
// and Kurz, "Faster remainder by direct computation", 2019). d = 1 has no such m in 64 bits
// and is answered directly.

#include <cstdint>

namespace nicsim::model {

class ConstantDivisor {
 public:
  ConstantDivisor() = default;
  explicit ConstantDivisor(uint32_t divisor)
      : divisor_(divisor), multiplier_(divisor > 1 ? ~uint64_t{0} / divisor + 1 : 0) {}

  uint32_t quotient(uint32_t n) const {
    if (divisor_ <= 1) return n;
    return static_cast<uint32_t>((static_cast<unsigned __int128>(multiplier_) * n) >> 64);
  }
  uint32_t remainder(uint32_t n) const {
    if (divisor_ <= 1) return 0;
    const uint64_t fraction = multiplier_ * n;
    return static_cast<uint32_t>((static_cast<unsigned __int128>(fraction) * divisor_) >> 64);
  }
  uint32_t divisor() const { return divisor_; }

 private:
  uint32_t divisor_ = 1;
  uint64_t multiplier_ = 0;
};

}  // namespace nicsim::model
