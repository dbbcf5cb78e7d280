#pragma once
// The NIC as a SystemC module: one NicSystem cycle per rising edge of `clock`. Testbenches and
// the lockstep harness instantiate it next to the Verilated RTL; the Engine adapter
// (model/engine) drives the same NicSystem without the SystemC kernel, so both views retire
// the same bundles in the same cycles.

#include <systemc>

#include "model/system/nic_system.h"

namespace nicsim::model {

class NicModule : public sc_core::sc_module {
 public:
  sc_core::sc_in<bool> clock;
  // The number of cycles stepped, and whether any packet is still queued or in flight.
  sc_core::sc_out<uint64_t> cycle;
  sc_core::sc_out<bool> busy;

  NicModule(sc_core::sc_module_name name, NicSystem& system);
  NicSystem& system() { return system_; }

 private:
  void on_clock();

  NicSystem& system_;
};

// Elaborates a clock of the system's configured frequency and a NicModule, then simulates until
// every packet submitted to `system` is done. SystemC allows one elaboration per process.
// Returns the simulated time.
sc_core::sc_time run_in_systemc(NicSystem& system);

}  // namespace nicsim::model
