#pragma once
// What every part of the analysis reads and never changes: the instructions, the object's
// maps, the program type's rules, the platform, the control flow and the options.

#include <map>
#include <span>
#include <vector>

#include "ebpf/isa/instruction.h"
#include "ebpf/program/program.h"
#include "verifier/analysis/cfg.h"
#include "verifier/analysis/global_functions.h"
#include "verifier/platform/platform.h"
#include "verifier/verifier_options.h"

namespace nicsim::verifier {

// A condition a test harness asserts at an instruction (PREVAIL's "assume r1 < 10"): the
// instruction must be a "ja +0"; paths where the condition cannot hold end there.
struct Assumption {
  uint8_t op = 0;  // a JMP operation code (kJmpJeq, kJmpJlt, ...)
  bool is32 = false;
  uint8_t dst = 0;
  bool src_is_reg = false;
  uint8_t src = 0;
  int64_t imm = 0;
};

struct AnalysisContext {
  std::span<const ebpf::Instruction> insns;
  const std::vector<ebpf::MapDefinition>& maps;
  const ProgramTypeRules& type;
  const Platform& platform;
  const ControlFlow& cfg;
  const VerifierOptions& options;
  const std::map<int32_t, Assumption>* assumptions = nullptr;
  // Fragments: the exit a harness appended to stand for the fragment's end (no R0 rules).
  int32_t fragment_end = -1;
  // Global functions by first instruction: a call checks the arguments against the
  // prototype instead of entering the function, which is verified on its own.
  const std::map<int32_t, GlobalFunction>* global_functions = nullptr;
  // The exploration verifies a global function on its own: its exit returns a number.
  bool verifying_global = false;
};

}  // namespace nicsim::verifier
