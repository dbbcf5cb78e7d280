#include "testbench/rtl_engine/rtl_wave_layout.h"

#include "testbench/rtl_engine/rtl_shape.h"
#include "testbench/wave/core_wave_layout.h"

namespace nicsim::rtl {

wave::GtkwLayout rtl_wave_layout() {
  return wave::core_wave_layout(kRtlLanes, kRtlContexts, wave::WaveEngine::Rtl);
}

}  // namespace nicsim::rtl
