#pragma once
// What the compiler may assume about a program beyond its instructions, per eBPF instruction.
// The verifier's VerifiedProgram supplies these when it is available; otherwise the compiler's
// own local analysis (local_facts) does. Passes read only this interface, so either source
// plugs in without touching them.

#include <cstdint>
#include <string>
#include <vector>

#include "ebpf/program/program.h"

namespace nicsim::jit::nic {

enum class BranchFact : uint8_t { Unknown, AlwaysTaken, NeverTaken };

struct InstructionFacts {
  bool reachable = true;                    // false: no execution reaches the instruction
  BranchFact branch = BranchFact::Unknown;  // conditional jumps: an outcome proven for every run
  // The jump is a packet bounds check (it compares a packet pointer with the packet end).
  bool bounds_check = false;
  // The load or store is proven to stay inside its memory on every run that reaches it.
  bool access_in_bounds = false;
};

struct ProgramFacts {
  std::string source;                   // "verifier", "local analysis"
  std::vector<InstructionFacts> insns;  // one per instruction slot (lddw's second slot too)

  const InstructionFacts* at(size_t index) const {
    return index < insns.size() ? &insns[index] : nullptr;
  }
};

// The compiler's own facts: reachability from the entry and the outcome of packet bounds
// checks that earlier checks on every path already decide (data + n > data_end after
// data + m > data_end with m >= n).
ProgramFacts local_facts(const ebpf::Program& program);

// Every fact of either: both hold on every run, so their union does. Reachable only when both
// say so; a branch outcome from whichever decides it (they cannot disagree when both are
// sound). The vectors must have the same length.
ProgramFacts combine_facts(const ProgramFacts& a, const ProgramFacts& b);

}  // namespace nicsim::jit::nic
