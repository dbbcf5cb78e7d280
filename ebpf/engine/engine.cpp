#include "ebpf/engine/engine.h"

namespace nicsim::ebpf {

XdpAction xdp_action_of(const ExecutionResult& result) {
  if (result.aborted || result.return_value >= kNumXdpActions) return XdpAction::Aborted;
  return static_cast<XdpAction>(result.return_value);
}

}  // namespace nicsim::ebpf
