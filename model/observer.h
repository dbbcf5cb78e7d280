#pragma once
// Per-bundle retire information (docs/nic-isa.md section 13), for the lockstep harness that
// compares the model with the RTL. The model calls the observer once per issued bundle; with no
// observer attached nothing is built.

#include <array>
#include <cstdint>

#include "firmware/isa/opcodes.h"

namespace nicsim::model {

struct RegisterWrite {
  uint8_t reg = 0;
  uint64_t value = 0;
  uint64_t land_cycle = 0;  // the value is in the register file from the end of this cycle
};

struct MemoryWrite {
  uint32_t address = 0;  // NIC address
  uint8_t size = 0;
  uint64_t value = 0;
};

struct BundleRetire {
  uint64_t cycle = 0;
  uint16_t core = 0;
  uint8_t context = 0;
  uint16_t address = 0;
  uint8_t register_write_count = 0;
  std::array<RegisterWrite, firmware::kMaxLanes> register_writes{};
  uint8_t memory_write_count = 0;
  std::array<MemoryWrite, firmware::kMaxLanes> memory_writes{};
  bool ends_packet = false;
  bool fault = false;
  uint64_t return_value = 0;  // r0 when the bundle ends the packet
};

class RetireObserver {
 public:
  virtual ~RetireObserver() = default;
  virtual void on_retire(const BundleRetire& retire) = 0;
};

}  // namespace nicsim::model
