#pragma once
// The numbers each register, and each value stored through the frame pointer, may hold
// before each instruction of one function, over every execution: a forward analysis over the
// scalar domain that joins at merges and refines on conditional jumps. The states the
// exploration records cannot bound values: pruning treats a scalar no check needed as "any
// value", so the executions of a pruned path hold numbers no recorded state shows. This
// analysis prunes nothing. Pointers are numbers it knows nothing about; a call leaves r0..r5
// unknown.

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "verifier/analysis/context.h"
#include "verifier/domain/scalar.h"
#include "verifier/state/state.h"

namespace nicsim::verifier {

using RegisterRanges = std::array<Scalar, kRegisterCount>;

// Bytes [offset, offset + bytes) of the function's own stack frame hold the low `bytes`
// bytes of `value`, written by a 4- or 8-byte store through the frame pointer.
struct StoredValue {
  int16_t offset = 0;
  uint8_t bytes = 0;
  Scalar value;
  friend bool operator==(const StoredValue&, const StoredValue&) = default;
};

struct ValueRanges {
  RegisterRanges regs;
  // Sorted by offset, not overlapping. A slot is kept only while nothing else may have
  // written its bytes: a store through another register that may point into a stack frame,
  // or any call but bpf_map_lookup_elem (helpers and subprograms write through the
  // pointers they get), forgets every slot.
  std::vector<StoredValue> slots;
  friend bool operator==(const ValueRanges&, const ValueRanges&) = default;
};

// True when the store or atomic at an instruction (its base register not the frame pointer)
// never writes a stack frame, on any execution: the verifier's access_base facts tell.
using WritesNoStack = std::function<bool(int32_t insn)>;

// Indexed by instruction - the function's start; nullopt where no execution arrives (or at
// the second slot of an lddw). Empty for a function too large to analyse.
std::vector<std::optional<ValueRanges>> register_ranges(const AnalysisContext& ctx,
                                                        int32_t function,
                                                        const WritesNoStack& writes_no_stack);

}  // namespace nicsim::verifier
