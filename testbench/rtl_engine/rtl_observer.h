#pragma once
// What the Verilated core reports each cycle (docs/nic-isa.md section 13): the bundle that
// issued, from the EX stage, and every register write, from the register file's write ports in
// the cycle it lands. The lockstep harness matches these with the model's BundleRetire records.

#include <array>
#include <cstdint>

#include "model/observer.h"
#include "testbench/rtl_engine/rtl_shape.h"

namespace nicsim::rtl {

struct RtlRetire {
  uint64_t cycle = 0;
  uint16_t core = 0;
  uint8_t context = 0;
  uint16_t address = 0;
  bool ends_packet = false;
  bool fault = false;
  uint64_t return_value = 0;  // r0 when the bundle ends the packet
  uint8_t memory_write_count = 0;
  std::array<model::MemoryWrite, kRtlMemPorts> memory_writes{};
};

struct RtlRegisterWrite {
  uint64_t cycle = 0;  // the value is in the register file from the end of this cycle
  uint16_t core = 0;
  uint8_t context = 0;
  uint8_t reg = 0;
  uint64_t value = 0;
};

// A packet starts on a context at `cycle` (its first fetch cycle).
struct RtlPacketStart {
  uint64_t cycle = 0;
  uint16_t core = 0;
  uint8_t context = 0;
};

class RtlObserver {
 public:
  virtual ~RtlObserver() = default;
  virtual void on_retire(const RtlRetire& retire) = 0;
  virtual void on_register_write(const RtlRegisterWrite& write) = 0;
  virtual void on_packet_start(const RtlPacketStart& start) { (void)start; }
  // A bundle enters a context's fetch buffer (it is there from the next cycle).
  virtual void on_fetch(uint64_t cycle, uint16_t core, uint8_t context, uint16_t address) {
    (void)cycle, (void)core, (void)context, (void)address;
  }
  // A packet ended without a bundle (cycle budget): `cycle` is its exit cycle.
  virtual void on_abort(uint64_t cycle, uint16_t core, uint8_t context) {
    (void)cycle, (void)core, (void)context;
  }
  // Every cycle, after the cycle's records.
  virtual void on_cycle_end(uint64_t cycle) { (void)cycle; }
};

}  // namespace nicsim::rtl
