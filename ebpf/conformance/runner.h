#pragma once
// Runs one bpf_conformance case on any engine: the program alone in an object, a fresh
// Runtime, the engine built by a factory, run_raw on a copy of the case's memory (r1 points to
// it, r2 holds its length), r0 compared with the expected result. Engine-agnostic so that the
// interpreter, the host JITs and the NIC model share one suite.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ebpf/conformance/assembled_suite.h"
#include "ebpf/conformance/test_file.h"
#include "ebpf/engine/engine.h"
#include "ebpf/program/program.h"
#include "ebpf/runtime/runtime.h"

namespace nicsim::ebpf::conformance {

// Builds an engine for `program` (which belongs to runtime.object()); may throw nicsim::Error
// when the engine cannot run the program.
using EngineFactory = std::function<std::unique_ptr<Engine>(const Program&, Runtime&)>;

struct NamedEngine {
  std::string name;
  EngineFactory factory;
};

struct ConformanceCase {
  std::string name;
  std::vector<Instruction> instructions;
  std::vector<uint8_t> memory;
  std::optional<uint64_t> expected_result;
  std::string expected_error;
};

// The case a test file describes: its instructions from the assembled suite, else from its
// "-- raw" section; throws nicsim::Error when neither has them.
ConformanceCase make_case(const ConformanceTest& test, const AssembledSuite& suite);

struct CaseOutcome {
  bool passed = false;
  // Why the case failed; for a case that expects an error, what the engine said.
  std::string reason;
  std::optional<uint64_t> return_value;  // r0, when the program ran to its exit
};

// A case with an expected error passes when the engine refuses the program or aborts it (the
// wording of errors is engine-specific, so it is reported, not compared).
CaseOutcome run_case(const ConformanceCase& test_case, const EngineFactory& factory);

}  // namespace nicsim::ebpf::conformance
