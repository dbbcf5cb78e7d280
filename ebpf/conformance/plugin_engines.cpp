#include "ebpf/conformance/plugin_engines.h"

#include "ebpf/interp/interpreter.h"

namespace nicsim::ebpf::conformance {

std::vector<NamedEngine> plugin_engines() {
  return {
      {"interp",
       [](const Program& program, Runtime& runtime) -> std::unique_ptr<Engine> {
         return std::make_unique<Interpreter>(program, runtime);
       }},
  };
}

}  // namespace nicsim::ebpf::conformance
