#pragma once
// What the code around a program's instructions must set up, found by one scan of the
// instructions: which eBPF registers the program can observe, whether it needs its stack
// frame, and whether its body can be entered directly (fall through from the prologue, leave
// through one epilogue) or must be called, because other code calls into it or jumps into it
// with a return address on the stack (bpf-to-bpf calls, callx, tail calls).
//
// The backends save only the callee-saved host registers the plan names, point r10 at the
// frame only when the plan says it is used, and (checked code) zero only the registers the
// program can observe: a register no instruction names and no callee can read never needs a
// value.

#include <bitset>

#include "ebpf/program/program.h"
#include "jit/common/jit_options.h"
#include "jit/common/program_facts.h"

namespace nicsim::jit {

struct EntryPlan {
  // eBPF registers r0..r10 that the program (or a helper or tail-called program it hands
  // them to) can read or write.
  std::bitset<11> registers;
  // r10 is read, or a bpf-to-bpf call moves it down one frame.
  bool uses_frame = false;
  // No instruction is the target of a call or of a code address, and no tail call leaves
  // for another program, so the program is one native function without a return address of
  // its own.
  bool single_function = true;
  // A tail call can hand every register to a program compiled separately.
  bool may_tail_call = false;

  bool uses(int reg) const { return registers.test(static_cast<size_t>(reg)); }
};

// `facts` (Verified mode) leaves out instructions no execution reaches.
EntryPlan plan_entry(const ebpf::Program& program, const ProgramFacts* facts);

}  // namespace nicsim::jit
