#pragma once
// Abstract scalars whose concrete members are few enough to enumerate, placed around every
// boundary where eBPF arithmetic changes behaviour (0, the signed and unsigned 32-bit
// limits, the signed and unsigned 64-bit limits). Property tests check a transfer function
// against the concrete operation on every member pair.

#include <cstdint>
#include <vector>

#include "verifier/domain/scalar.h"

namespace nicsim::verifier::testing {

struct Sample {
  Scalar value;
  std::vector<uint64_t> members;  // the complete concretization
};

// Blocks of 16 consecutive values start at these bases (wrapping at 2^64).
inline const std::vector<uint64_t>& sample_bases() {
  static const std::vector<uint64_t> bases = {
      0x0ULL, 0x7ffffff8ULL, 0xfffffff8ULL, 0x7ffffffffffffff8ULL, 0xfffffffffffffff8ULL,
  };
  return bases;
}

// Every sample of one block: intervals, constants and tnums whose members all lie in
// [base, base + 15]. Members are found by scanning the block with contains(), which is
// complete because no member lies outside it.
inline std::vector<Sample> samples_in_block(uint64_t base) {
  std::vector<Scalar> values;
  const uint64_t ends[] = {0, 1, 3, 7, 8, 12, 15};
  for (uint64_t i : ends) {
    for (uint64_t j : ends) {
      if (j < i) continue;
      const uint64_t lo = base + i;
      const uint64_t hi = base + j;
      if (lo <= hi) values.push_back(Scalar::unsigned_range(lo, hi));
      const auto slo = static_cast<int64_t>(lo);
      const auto shi = static_cast<int64_t>(hi);
      if (slo <= shi) values.push_back(Scalar::signed_range(slo, shi));
    }
  }
  for (uint64_t v : {0, 5, 8, 13}) {
    for (uint64_t m : {0, 1, 3, 5, 6, 7}) {
      Scalar s;
      s.bits = Tnum(base + v, m);
      s.sync();
      values.push_back(s);
    }
  }
  std::vector<Sample> samples;
  for (const Scalar& value : values) {
    Sample sample{value, {}};
    for (uint64_t k = 0; k < 16; ++k) {
      if (value.contains(base + k)) sample.members.push_back(base + k);
    }
    samples.push_back(sample);
  }
  return samples;
}

inline std::vector<Sample> all_samples() {
  std::vector<Sample> all;
  for (uint64_t base : sample_bases()) {
    auto block = samples_in_block(base);
    all.insert(all.end(), block.begin(), block.end());
  }
  return all;
}

}  // namespace nicsim::verifier::testing
