#include "ebpf/conformance/runner.h"

#include <fmt/format.h>

#include <exception>

#include "ebpf/util/error.h"

namespace nicsim::ebpf::conformance {

ConformanceCase make_case(const ConformanceTest& test, const AssembledSuite& suite) {
  ConformanceCase result;
  result.name = test.name;
  if (const auto* insns = suite.find(test.name)) {
    result.instructions = *insns;
  } else if (!test.raw.empty()) {
    result.instructions = test.raw;
  } else {
    throw Error(fmt::format("{}: no assembled instructions and no -- raw section", test.name));
  }
  result.memory = test.memory;
  result.expected_result = test.expected_result;
  result.expected_error = test.expected_error;
  return result;
}

namespace {

CaseOutcome failure(std::string reason) {
  return CaseOutcome{false, std::move(reason), {}};
}

// The engine stopped short of an exit: a pass only when the case expects an error.
CaseOutcome refused(const ConformanceCase& test_case, const std::string& what) {
  if (!test_case.expected_error.empty())
    return CaseOutcome{
        true, fmt::format("{} (expected error: {})", what, test_case.expected_error), {}};
  return failure(what);
}

}  // namespace

CaseOutcome run_case(const ConformanceCase& test_case, const EngineFactory& factory) {
  const ElfObject object =
      make_single_program_object(test_case.instructions, ProgramType::Unspec, test_case.name);
  std::unique_ptr<Runtime> runtime;
  std::unique_ptr<Engine> engine;
  try {
    runtime = std::make_unique<Runtime>(object);
    engine = factory(object.programs.front(), *runtime);
  } catch (const std::exception& e) {
    return refused(test_case, fmt::format("the engine refused the program: {}", e.what()));
  }
  if (engine == nullptr) return failure("the engine factory returned no engine");

  std::vector<uint8_t> memory = test_case.memory;  // the program may write to it
  ExecutionResult result;
  try {
    result = engine->run_raw(memory);
  } catch (const std::exception& e) {
    return failure(fmt::format("engine '{}' threw: {}", engine->name(), e.what()));
  }
  if (result.aborted) return refused(test_case, fmt::format("aborted: {}", result.diagnostic));

  CaseOutcome outcome;
  outcome.return_value = result.return_value;
  if (!test_case.expected_error.empty()) {
    outcome.reason = fmt::format("r0 = {:#x}, but the test expects the error '{}'",
                                 result.return_value, test_case.expected_error);
    return outcome;
  }
  if (!test_case.expected_result) {
    outcome.reason = "the test has no expected result";
    return outcome;
  }
  if (result.return_value != *test_case.expected_result) {
    outcome.reason = fmt::format("r0 = {:#x}, but the test expects {:#x}", result.return_value,
                                 *test_case.expected_result);
    return outcome;
  }
  outcome.passed = true;
  return outcome;
}

}  // namespace nicsim::ebpf::conformance
