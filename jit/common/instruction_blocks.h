#pragma once
// Straight-line blocks for counting executed instructions in generated code. A block is
// charged in full when entered; it ends before every instruction that control can reach
// other than by falling through (jump, call and lddw-function targets) and after every
// instruction that does not continue with the next one (jumps, exit, bpf-to-bpf calls, callx,
// tail calls). Counts then equal the interpreter's for every run that is not cut short, and a
// run cut short at instruction i is corrected with `remaining_after[i]`.

#include <cstdint>
#include <span>
#include <vector>

#include "ebpf/isa/instruction.h"

namespace nicsim::jit {

struct BlockPlan {
  std::vector<bool> leader;               // by instruction slot
  std::vector<uint32_t> length;           // at leaders: instructions in the block
  std::vector<uint32_t> remaining_after;  // by slot: instructions after it in its block
  std::vector<uint32_t> block_start;      // by slot: the leader of its block
};

// `insns` must have passed validate_instructions().
BlockPlan plan_blocks(std::span<const ebpf::Instruction> insns);

// The slot of the `count`-th instruction (0-based) of the block starting at `leader`.
size_t nth_instruction_of_block(std::span<const ebpf::Instruction> insns, size_t leader,
                                uint64_t count);

}  // namespace nicsim::jit
