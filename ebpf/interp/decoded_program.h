#pragma once
// A program pre-decoded for the threaded-code loop: one Slot per instruction slot (so that an
// instruction's index is its slot's position), each holding the address of its handler and
// operands already resolved (immediates widened as the operation needs them, lddw constants,
// map and code addresses, helper function pointers, jump distances).

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ebpf/interp/handler_list.h"
#include "ebpf/program/program.h"
#include "ebpf/runtime/runtime.h"

namespace nicsim::ebpf::interp {

struct Slot {
  const void* handler = nullptr;  // label in the execution loop (bound from `kind`)
  // ALU/JMP: the immediate sign-extended to 64 bits (32-bit operations use its low half);
  // ST: the value to store; lddw: the loaded value; helper call: the HelperFunction.
  uint64_t imm = 0;
  // Loads/stores/atomics: the memory offset; jumps and local calls: target slot - this slot;
  // helper calls: the helper id.
  int32_t aux = 0;
  uint8_t dst = 0;
  uint8_t src = 0;
  Handler kind = Handler::exit;
};
static_assert(sizeof(Slot) == 24, "keep the dispatch record compact");

struct DecodedProgram {
  const Program* program = nullptr;
  int object_index = -1;  // index in Runtime::object().programs, -1 if the program is not there
  // One slot per instruction, then a sentinel that faults: nothing requires the last
  // instruction to be an exit or a jump, and falling off the end must not leave the array.
  std::vector<Slot> slots;

  size_t instruction_count() const { return slots.size() - 1; }
  size_t index_of(const Slot* slot) const { return static_cast<size_t>(slot - slots.data()); }
  // The code address `lddw rX, func` loads: the host address of the target slot.
  uint64_t code_address(size_t index) const {
    return reinterpret_cast<uint64_t>(slots.data() + index);
  }
  // The slot a code address designates, or nullptr when `address` is not one of ours.
  const Slot* slot_at(uint64_t address) const;
  // "section/function" of the program, for diagnostics.
  std::string name() const { return program->display_name(); }
};

// Decodes `program` (validated with RFC 9669 decoding rules first). Throws DecodeError for
// invalid encodings and nicsim::Error ("insn 7: call to unknown helper 999") for what nicsim
// cannot run: unknown or unimplemented helpers, kfunc calls, references to missing maps or
// map values.
std::unique_ptr<DecodedProgram> decode_program(const Program& program, Runtime& runtime);

// Fills Slot::handler from Slot::kind with the execution loop's label addresses.
void bind_handlers(std::span<Slot> slots);

}  // namespace nicsim::ebpf::interp
