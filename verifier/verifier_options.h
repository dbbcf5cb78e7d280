#pragma once
// How strict the verifier is and what it reports. The defaults are nicsim's policy: the
// kernel's rules for a loader holding CAP_BPF and CAP_PERFMON (bounded loops, pointer
// comparisons and arithmetic as root may), except that nothing may read uninitialised stack
// or leak a pointer into a map, the packet, a helper or the return value — a program that
// does is refused, as an unprivileged kernel would.

#include <cstdint>
#include <optional>

#include "ebpf/program/program.h"

namespace nicsim::verifier {

struct VerifierOptions {
  // Verify as this program type instead of the one the section implies.
  std::optional<ebpf::ProgramType> program_type;
  // Record the kernel-style per-instruction state log ("12: R0=scalar(...) R1=pkt(...)").
  bool log_states = false;
  // Stop recording the log after this many lines (the verdict is unaffected).
  uint32_t max_log_lines = 200'000;
  // Processed instructions (counting every path) before giving up, as the kernel does.
  uint64_t complexity_limit = 1'000'000;
  bool allow_pointer_leaks = false;
  bool allow_uninit_stack = false;
  // Division by a register that may be zero follows RFC 9669 (x / 0 == 0, x % 0 == x).
  // False refuses it instead (PREVAIL's !allow_division_by_zero).
  bool allow_division_by_zero = true;
  // Loops whose termination the exploration proves. False refuses every back-edge.
  bool allow_loops = true;
  // Refuse instructions no path reaches ("unreachable insn N"), as the kernel does. Dead
  // code is harmless, so by default it is only reported (warnings and facts).
  bool reject_unreachable = false;
  // The kernel also refuses a few instructions whose effect RFC 9669 defines and which are
  // harmless: division or modulo by an immediate 0 ("div by zero"), shifts by an immediate
  // outside the width ("invalid shift N"), subtracting from a stack pointer. nicsim applies
  // the ISA's definition (with a warning); true refuses them as the kernel does.
  bool kernel_sanity_checks = false;
  // Remember a state at every prune point instead of spacing them out as the kernel does
  // (more pruning, more memory; tests use it to exercise pruning on small programs).
  bool checkpoint_every_prune_point = false;
  // A program fragment (test case): it may fall off its end, hold dead code and reach the
  // end without setting R0; reaching the end counts as an exit.
  bool fragment = false;
};

}  // namespace nicsim::verifier
