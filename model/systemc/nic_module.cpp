#include "model/systemc/nic_module.h"

namespace nicsim::model {

NicModule::NicModule(sc_core::sc_module_name name, NicSystem& system)
    : sc_core::sc_module(name), clock("clock"), cycle("cycle"), busy("busy"), system_(system) {
  SC_HAS_PROCESS(NicModule);
  SC_METHOD(on_clock);
  sensitive << clock.pos();
  dont_initialize();
}

void NicModule::on_clock() {
  if (system_.busy()) system_.step();
  cycle.write(system_.cycle());
  busy.write(system_.busy());
}

sc_core::sc_time run_in_systemc(NicSystem& system) {
  const sc_core::sc_time period(1.0 / system.config().clock_hz, sc_core::SC_SEC);
  sc_core::sc_clock clock("nic_clock", period);
  sc_core::sc_signal<uint64_t> cycle("nic_cycle");
  sc_core::sc_signal<bool> busy("nic_busy");
  NicModule nic("nic", system);
  nic.clock(clock);
  nic.cycle(cycle);
  nic.busy(busy);
  // The first rising edge is at time 0: cycle n is stepped at n periods.
  while (system.busy())
    sc_core::sc_start(period * 64);
  return sc_core::sc_time_stamp();
}

}  // namespace nicsim::model
