#pragma once
// What the model reports to an observer (docs/nic-isa.md section 13, docs/rtl.md "Waveforms"):
// per issued bundle a retire record, and on request each fetch, packet start, budget abort
// and the contexts' state at the end of every cycle. The lockstep harness compares the retire
// records with the RTL's; waveforms and the pipeline trace are built from all of them. With no
// observer attached nothing is built: every report sits behind one test of the observer pointer.

#include <array>
#include <cstdint>
#include <span>

#include "firmware/isa/opcodes.h"
#include "model/core/context.h"

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

// A load's or a read-modify-write's read, in lane order.
struct MemoryRead {
  uint32_t address = 0;  // NIC address
  uint8_t size = 0;
  uint64_t value = 0;    // as read, zero-extended (before a load's sign extension)
  bool refused = false;  // the memory refused it (an ldnf reads 0; otherwise the bundle faults)
};

struct HelperCall {
  bool valid = false;
  int32_t id = 0;
  std::array<uint64_t, 5> args{};  // r1..r5
  uint64_t r0 = 0;
  uint32_t latency = 0;
  bool fault = false;
};

struct BundleRetire {
  uint64_t cycle = 0;
  uint16_t core = 0;
  uint8_t context = 0;
  uint16_t address = 0;
  uint8_t register_write_count = 0;
  // The lanes' writes in lane order, then a helper's r0, then an exit's r0.
  std::array<RegisterWrite, firmware::kMaxLanes> register_writes{};
  uint8_t memory_write_count = 0;
  std::array<MemoryWrite, firmware::kMaxLanes> memory_writes{};
  bool ends_packet = false;
  bool fault = false;         // a memory fault (nothing committed) or a helper fault
  uint64_t return_value = 0;  // r0 when the bundle ends the packet
  uint8_t memory_read_count = 0;
  std::array<MemoryRead, firmware::kMaxLanes> memory_reads{};
  HelperCall helper;
};

// A context starts a packet at `cycle` (its first cycle running; the dispatcher announced it in
// the cycle before), fetching from `entry` with r1 and r2 set as section 8 says.
struct PacketStart {
  uint64_t cycle = 0;
  uint16_t core = 0;
  uint8_t context = 0;
  uint32_t entry = 0;
  uint64_t r1 = 0;
  uint64_t r2 = 0;
};

class RetireObserver {
 public:
  virtual ~RetireObserver() = default;
  virtual void on_retire(const BundleRetire& retire) = 0;
  // A bundle enters a context's fetch buffer (it is there from the next cycle).
  virtual void on_fetch(uint64_t cycle, uint16_t core, uint8_t context, uint32_t address) {
    (void)cycle, (void)core, (void)context, (void)address;
  }
  virtual void on_packet_start(const PacketStart& start) { (void)start; }
  // A packet ended without a bundle (cycle budget): `exit_cycle` is its exit cycle.
  virtual void on_abort(uint64_t exit_cycle, uint16_t core, uint8_t context) {
    (void)exit_cycle, (void)core, (void)context;
  }
  // After every cycle, per core, the contexts as the cycle left them (the stall a running
  // context was charged in it is the PacketStats::stalls counter that grew). An observer that
  // returns true here makes the system step every cycle instead of skipping quiet ones.
  virtual bool wants_every_cycle() const { return false; }
  virtual void on_cycle_end(uint64_t cycle, uint16_t core, std::span<const ContextState> contexts) {
    (void)cycle, (void)core, (void)contexts;
  }
};

}  // namespace nicsim::model
