// The bpf_conformance suite on the arm64 JIT (under Unicorn on non-AArch64 hosts): every test
// file of the shared test data is one CTest case, run through the conformance library's
// engine-agnostic runner with the JIT as the engine, checked (as for any unverified program)
// and once more with constant blinding.

#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <string>
#include <vector>

#include "ebpf/conformance/assembled_suite.h"
#include "ebpf/conformance/runner.h"
#include "ebpf/conformance/test_file.h"
#include "jit/arm64/a64_compiler.h"

namespace nicsim::jit::test {
namespace {

namespace conformance = ebpf::conformance;

const std::filesystem::path kSuiteDir =
    std::filesystem::path(NICSIM_TESTDATA_DIR) / "bpf-conformance";

std::vector<std::string> test_names() {
  std::vector<std::string> names;
  for (const auto& path : conformance::find_conformance_tests(kSuiteDir / "tests"))
    names.push_back(path.filename().string());
  return names;
}

const conformance::AssembledSuite& assembled_suite() {
  static const conformance::AssembledSuite suite =
      conformance::AssembledSuite::load(kSuiteDir / "tests_assembled.jsonl");
  return suite;
}

conformance::EngineFactory arm64_engine(JitOptions options) {
  return [options](const ebpf::Program& program,
                   ebpf::Runtime& runtime) -> std::unique_ptr<ebpf::Engine> {
    return make_arm64_engine(program, runtime, options);
  };
}

class Arm64Conformance : public ::testing::TestWithParam<std::string> {
 protected:
  void run(JitOptions options) {
    const auto test = conformance::load_conformance_test(kSuiteDir / "tests" / GetParam());
    const auto test_case = conformance::make_case(test, assembled_suite());
    const conformance::CaseOutcome outcome =
        conformance::run_case(test_case, arm64_engine(options));
    EXPECT_TRUE(outcome.passed) << GetParam() << ": " << outcome.reason;
  }
};

TEST_P(Arm64Conformance, Checked) {
  run(JitOptions{});
}

TEST_P(Arm64Conformance, Hardened) {
  JitOptions options;
  options.harden = true;
  run(options);
}

// Test names as gtest accepts them: "lock_fetch_add32.data" -> "lock_fetch_add32_data".
std::string case_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Suite, Arm64Conformance, ::testing::ValuesIn(test_names()), case_name);

TEST(Arm64ConformanceSuite, HasEveryTest) {
  EXPECT_EQ(test_names().size(), 313u);
}

}  // namespace
}  // namespace nicsim::jit::test
