#pragma once
// Text <-> instructions in the two syntaxes eBPF users meet:
//  * Conformance: the bpf_conformance / uBPF assembler ("mov %r0, 1", "ldxw %r1, [%r2+4]",
//    "jeq %r1, 0, label", "lock add [%r10-8], %r1", "call local f").
//  * PseudoC: llvm-objdump and the kernel verifier log ("r0 = 1", "w1 += w2",
//    "r0 = *(u32 *)(r1 + 8)", "*(u64 *)(r10 - 8) = r1", "if r1 > r2 goto +3",
//    "lock *(u64 *)(r1 + 0) += r2", "r0 = atomic_fetch_add((u64 *)(r1 + 0), r0)", "r1 = 1 ll").
// Comments (`#`, `;`, `//`), blank lines and labels ("name:") are accepted in both.

#include <string>
#include <string_view>
#include <vector>

#include "ebpf/isa/instruction.h"
#include "ebpf/util/error.h"

namespace nicsim::ebpf {

enum class AsmSyntax { Conformance, PseudoC, Auto };

class AsmError : public Error {
 public:
  AsmError(size_t line, const std::string& message);
  size_t line() const { return line_; }

 private:
  size_t line_;
};

// Assembles `source`; Auto picks the syntax per line. Throws AsmError "line N: ...".
std::vector<Instruction> assemble(std::string_view source, AsmSyntax syntax = AsmSyntax::Auto);

}  // namespace nicsim::ebpf
