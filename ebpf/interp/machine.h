#pragma once
// The state of one interpreter invocation (registers, call frames, budget, memory view) and
// the entry point of the threaded-code loop that runs on it.

#include <cstdint>
#include <string>

#include "ebpf/interp/decoded_program.h"
#include "ebpf/interp/memory.h"
#include "ebpf/interp/program_cache.h"
#include "ebpf/isa/opcodes.h"
#include "ebpf/runtime/runtime.h"

namespace nicsim::ebpf::interp {

struct CallFrame {
  const Slot* return_to = nullptr;
  const DecodedProgram* program = nullptr;  // the caller, which a tail call may have replaced
  uint64_t callee_saved[4] = {};            // r6..r9
};

struct Machine {
  uint64_t reg[kNumRegisters] = {};
  CallFrame frames[kMaxCallDepth];
  uint32_t depth = 0;      // index of the current frame; frame 0 is the entry program's
  uint32_t max_depth = 0;  // deepest frame reached, so that the next run clears only those
  uint32_t tail_calls = 0;
  uint64_t budget_left = 0;
  uint64_t budget_limit = 0;
  uint64_t stack_top = 0;  // frame 0's r10; frame d's r10 is stack_top - d * kStackSize
  MemoryAccess memory;
  Runtime* runtime = nullptr;
  ProgramCache* programs = nullptr;

  // Where and why the program was aborted (set by the loop).
  const DecodedProgram* fault_program = nullptr;
  size_t fault_index = 0;
  std::string fault;

  uint64_t frame_pointer(uint32_t frame) const { return stack_top - uint64_t{frame} * kStackSize; }
};

// Runs from `entry`'s first slot until the entry frame exits (true; r0 holds the result) or
// the program is aborted (false; fault_* say where and why).
bool run_loop(Machine& machine, const DecodedProgram& entry);

}  // namespace nicsim::ebpf::interp
