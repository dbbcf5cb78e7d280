#pragma once
// Which registers hold a value some later operation reads (backward dataflow over the blocks).

#include <cstdint>
#include <vector>

#include "jit/nic/ir.h"

namespace nicsim::jit::nic {

class Liveness {
 public:
  explicit Liveness(const Function& fn);
  uint16_t live_in(int32_t block) const { return in_[block]; }
  uint16_t live_out(int32_t block) const { return out_[block]; }
  // Registers live just after ops[index] of `block`.
  uint16_t live_after(const Function& fn, int32_t block, size_t index) const;

 private:
  std::vector<uint16_t> in_;
  std::vector<uint16_t> out_;
};

}  // namespace nicsim::jit::nic
