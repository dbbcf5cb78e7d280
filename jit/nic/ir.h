#pragma once
// The NIC compiler's intermediate form: native operations (firmware::Slot) in basic blocks,
// with branch targets as block ids and 64-bit constants kept as values until the image's pool
// is built. Every operation carries the eBPF instructions it stands for.

#include <cstdint>
#include <vector>

#include "ebpf/program/program.h"
#include "firmware/image/image.h"
#include "firmware/isa/slot.h"

namespace nicsim::jit::nic {

struct Op {
  firmware::Slot slot;
  int32_t target = -1;   // branch to a block (exit vectors live in slot.x12, target -1)
  int32_t routine = -1;  // callf: the helper id of the firmware routine
  bool pool = false;     // operand B / store value is pool_value
  uint64_t pool_value = 0;
  std::vector<uint32_t> origins;  // eBPF instruction indices
  int32_t source = -1;            // the eBPF instruction it was lowered from (facts are per insn)
  // A load proven unable to fault (its bytes are read by another access that faults whenever
  // it would): it may be dropped when its result is unused.
  bool safe = false;
  // A memory access proven in bounds wherever it executes (facts): a load may run early, as
  // ldnf, above the branch that guards it.
  bool access_proven = false;

  uint16_t reads() const;
  // Registers written, including what a call clobbers (hcall: r1-r5, callf: r0-r5).
  uint16_t writes() const;
  bool is_branch() const { return slot.op == firmware::OpClass::Branch; }
  bool is_conditional_branch() const { return is_branch() && slot.cond != firmware::Cond::Always; }
  bool is_jump() const { return is_branch() && slot.cond == firmware::Cond::Always; }
  bool is_exit() const { return firmware::is_exit_op(slot) || exits_through_vector(); }
  bool exits_through_vector() const { return is_branch() && slot.targets_exit_vector(); }
  // Ends its block: a jump or an exit (an unconditional exit-vector jump included).
  bool is_terminator() const { return firmware::is_exit_op(slot) || (is_jump()); }
  bool is_call() const {
    return slot.op == firmware::OpClass::HCall || slot.op == firmware::OpClass::CallF;
  }
  bool is_memory() const { return firmware::is_memory_op(slot); }
  bool writes_memory() const { return is_memory() && slot.op != firmware::OpClass::Load; }
  // Must stay even when its results are unused: memory writes, calls, control, possible faults.
  bool has_side_effect() const;
};

struct Block {
  std::vector<Op> ops;  // straight-line operations, then at most one branch or terminator
  int32_t next = -1;    // fall-through successor, -1 when the block ends with a terminator
  bool removed = false;

  const Op* last() const { return ops.empty() ? nullptr : &ops.back(); }
};

struct Function {
  std::vector<Block> blocks;
  int32_t entry = 0;
  firmware::EntryKind entry_kind = firmware::EntryKind::Xdp;
  uint32_t ebpf_instructions = 0;
  std::vector<firmware::MapLayout> maps;  // the image's map layout (alias analysis)

  std::vector<int32_t> successors(int32_t block) const;
  // Incoming edges per block (a block appears twice when two edges lead from it).
  std::vector<std::vector<int32_t>> predecessors() const;
  // Live blocks reachable from the entry, in reverse postorder.
  std::vector<int32_t> reverse_postorder() const;
  size_t op_count() const;
};

// Removes ops[index]; its eBPF instructions are counted with the next operation of the block
// (or the previous one when it was the last), so that retired-instruction counts stay whole.
void remove_op(Block& block, size_t index);
// Index of the block's conditional branch: its last operation, or the one before a trailing
// exit or jump; -1 when it has none.
int conditional_branch_index(const Block& block);
// Replaces the conditional branch at `index` by a jump to its target (what followed it becomes
// unreachable and is dropped).
void make_branch_unconditional(Block& block, size_t index);

}  // namespace nicsim::jit::nic
