#pragma once
// Decoding rules of RFC 9669: which encodings are instructions at all. A program that passes
// validate_instructions() has only defined opcodes, register numbers 0..10, zero reserved
// fields, well-formed lddw pairs and jump targets inside the program that do not land in the
// second slot of an lddw. Whether the program is *safe* is the verifier's business.

#include <span>
#include <string>

#include "ebpf/isa/instruction.h"
#include "ebpf/util/error.h"

namespace nicsim::ebpf {

class DecodeError : public Error {
 public:
  DecodeError(size_t index, const std::string& message);
  size_t index() const { return index_; }

 private:
  size_t index_;
};

// Returns an empty string when `insns[index]` is a valid encoding, else the reason (naming
// the offending field). Checks one slot; `insns` gives context for lddw and jump targets.
std::string check_instruction(std::span<const Instruction> insns, size_t index);

// Throws DecodeError for the first invalid instruction: "insn 12: <reason>".
void validate_instructions(std::span<const Instruction> insns);

}  // namespace nicsim::ebpf
