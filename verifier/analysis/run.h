#pragma once
// One verification run over raw material: instructions, maps, function names, the program
// type's rules and the entry state. verify() builds these from an ELF program; test
// harnesses (PREVAIL's YAML cases) build them from text with their own entry state.

#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "ebpf/isa/instruction.h"
#include "ebpf/program/program.h"
#include "verifier/analysis/context.h"
#include "verifier/platform/platform.h"
#include "verifier/state/state.h"
#include "verifier/verifier.h"

namespace nicsim::verifier {

struct RunInput {
  std::span<const ebpf::Instruction> insns;
  const std::vector<ebpf::MapDefinition>* maps = nullptr;
  const std::vector<std::pair<size_t, std::string>>* functions = nullptr;
  const ProgramTypeRules* type = nullptr;
  const Platform* platform = nullptr;
  const ebpf::Program* program = nullptr;  // for source locations (may be null)
  // Builds the entry state; empty: R1 = context, R10 = frame pointer.
  std::function<VerifierState()> entry;
  // Conditions asserted at "ja +0" instructions (test harnesses).
  const std::map<int32_t, Assumption>* assumptions = nullptr;
  int32_t fragment_end = -1;  // see AnalysisContext::fragment_end
  // Global functions by first instruction (see AnalysisContext::global_functions).
  const std::map<int32_t, GlobalFunction>* global_functions = nullptr;
};

VerificationResult run_verifier(const RunInput& input, const VerifierOptions& options);

}  // namespace nicsim::verifier
