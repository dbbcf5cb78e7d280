#pragma once
// The one execution-engine interface. The interpreter, the host JITs, the SystemC model and
// the RTL each implement it, so that differential tests, the lockstep harness and the
// offload comparison are loops over a list of engines. An engine is built for one program of
// an object and one Runtime (its own maps and helper state); each engine's factory takes what
// it needs to build (the Program, a VerifiedProgram, a NIC image).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "ebpf/runtime/xdp.h"

namespace nicsim::ebpf {

struct ExecutionResult {
  uint64_t return_value = 0;  // r0 at exit
  // The engine stopped the program early (memory fault, instruction budget, bad helper
  // argument, call depth...). The packet is then XDP_ABORTED and `diagnostic` says why.
  bool aborted = false;
  std::string diagnostic;
  uint64_t instructions = 0;  // eBPF instructions executed, across tail calls
  uint32_t tail_calls = 0;
};

class Engine {
 public:
  virtual ~Engine() = default;
  virtual std::string_view name() const = 0;
  // XDP contract: r1 points to the frame's xdp_md context.
  virtual ExecutionResult run_xdp(XdpFrame& frame) = 0;
  // BPF_PROG_TEST_RUN's repeat: runs the program `repeat` times on `frame` (0 counts as 1, as
  // in the kernel), each run on the packet the previous one left (rewritten, or moved by
  // adjust_head/tail/meta), and returns the last run's result — or that of the first run that
  // aborted, after which no run is made. Every run is exactly one run_xdp call: the Runtime's
  // per-invocation state (redirect target, helper fault, open ringbuf reservations, the
  // invocation index trace and event records carry) starts afresh, the stack and the
  // instruction budget are per run, and maps keep what each run wrote. This implementation
  // calls run_xdp; an engine may override it with a faster loop that keeps these semantics.
  virtual ExecutionResult run_xdp_repeated(XdpFrame& frame, uint32_t repeat);
  // bpf_conformance contract: r1 points to `memory` (nullptr when empty), r2 holds its length.
  virtual ExecutionResult run_raw(std::span<uint8_t> memory) = 0;
};

// The XDP action a result stands for: aborted runs and return values outside the five
// actions are XDP_ABORTED (the kernel warns and drops those, counting them as aborted).
XdpAction xdp_action_of(const ExecutionResult& result);

}  // namespace nicsim::ebpf
