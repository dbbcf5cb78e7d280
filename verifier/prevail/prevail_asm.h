#pragma once
// PREVAIL's assembly dialect (llvm-style pseudo-C with its own additions) translated to
// eBPF instructions: "goto <label>" targets, "call 1; comment", "callx r5",
// "r1 s32= r2" (movsx), "rX = swap16 rY", "lock *(u64 *)(r1 + 0) cx= r5", "fetch", and
// "assume r1 < 10", which becomes a "ja +0" carrying an assumption for the verifier.

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ebpf/isa/instruction.h"
#include "verifier/analysis/context.h"
#include "verifier/prevail/prevail_case.h"

namespace nicsim::verifier::prevail {

struct AssembledCase {
  std::vector<ebpf::Instruction> insns;
  std::map<int32_t, Assumption> assumptions;
  std::vector<std::pair<size_t, std::string>> functions;  // start of every called label
  std::map<std::string, int32_t> labels;                  // block name -> first instruction
  // lddw of a map by file descriptor (imm patched to the map's index once maps exist).
  std::vector<std::pair<int32_t, int64_t>> fd_loads;
  int32_t end = -1;  // the exit appended for the fragment's end, if any
};

// Throws nicsim::Error "<case>: line '<text>': <why>" for lines it cannot translate.
AssembledCase assemble_case(const PrevailCase& c);

}  // namespace nicsim::verifier::prevail
