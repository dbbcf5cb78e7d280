#include "jit/common/compiled_program.h"

#include <algorithm>

namespace nicsim::jit {

int64_t CompiledProgram::instruction_at(uint64_t address) const {
  if (!contains(address)) return -1;
  const uint64_t offset = address - code.address();
  if (offset >= instructions_end || insn_offsets.empty()) return -1;
  // The last instruction starting at or before `offset` is the one whose code holds it
  // (earlier ones sharing its start offset have no code).
  auto it = std::upper_bound(insn_offsets.begin(), insn_offsets.end(), offset);
  if (it == insn_offsets.begin()) return -1;
  auto slot = static_cast<size_t>(it - insn_offsets.begin() - 1);
  if (second_slot[slot]) --slot;
  return static_cast<int64_t>(slot);
}

int64_t CompiledProgram::instruction_starting_at(uint64_t address) const {
  if (!contains(address)) return -1;
  const uint64_t offset = address - code.address();
  if (offset >= instructions_end) return -1;
  // Control arriving at an offset runs every instruction starting there, the first one first.
  auto it = std::lower_bound(insn_offsets.begin(), insn_offsets.end(), offset);
  if (it == insn_offsets.end() || *it != offset) return -1;
  return it - insn_offsets.begin();
}

}  // namespace nicsim::jit
