// nicsim-conformance-plugin: the bpf_conformance plugin process (see plugin.h).

#include <iostream>
#include <string>
#include <vector>

#include "ebpf/conformance/plugin.h"
#include "ebpf/conformance/plugin_engines.h"

int main(int argc, char** argv) {
  using namespace nicsim::ebpf::conformance;
  const std::vector<std::string> arguments(argv + 1, argv + argc);
  const std::vector<NamedEngine> engines = plugin_engines();
  return run_plugin(arguments, std::cin, std::cout, std::cerr, engines);
}
