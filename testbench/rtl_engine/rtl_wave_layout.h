#pragma once
// The signals of the Verilated core a GTKWave save file shows, grouped by unit: fetch, issue
// and decode (slot words through the translate filter), each lane, the memory ports, the helper
// port, the divider, and per context its state and registers.

#include "testbench/wave/gtkw_writer.h"

namespace nicsim::rtl {

wave::GtkwLayout rtl_wave_layout();

}  // namespace nicsim::rtl
