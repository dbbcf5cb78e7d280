#pragma once
// The engines nicsim-conformance-plugin can run (--engine NAME). An engine joins the list
// here, with its library added to the plugin's link in CMakeLists.txt.

#include <vector>

#include "ebpf/conformance/runner.h"

namespace nicsim::ebpf::conformance {

std::vector<NamedEngine> plugin_engines();

}  // namespace nicsim::ebpf::conformance
