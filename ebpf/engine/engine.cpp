#include "ebpf/engine/engine.h"

namespace nicsim::ebpf {

ExecutionResult Engine::run_xdp_repeated(XdpFrame& frame, uint32_t repeat) {
  ExecutionResult result = run_xdp(frame);
  for (uint32_t run = 1; run < repeat && !result.aborted; ++run)
    result = run_xdp(frame);
  return result;
}

XdpAction xdp_action_of(const ExecutionResult& result) {
  if (result.aborted || result.return_value >= kNumXdpActions) return XdpAction::Aborted;
  return static_cast<XdpAction>(result.return_value);
}

}  // namespace nicsim::ebpf
