// The bpf_conformance suite on the interpreter: one test case per tests/*.data file found at
// run time, each asserting that r0 equals the file's "-- result". The programs come from
// tests_assembled.jsonl, read in place.

#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "ebpf/conformance/assembled_suite.h"
#include "ebpf/conformance/runner.h"
#include "ebpf/conformance/test_file.h"
#include "ebpf/interp/interpreter.h"

namespace nicsim::ebpf::conformance {
namespace {

const std::filesystem::path kSuiteDirectory =
    std::filesystem::path(NICSIM_TESTDATA_DIR) / "bpf-conformance";

std::vector<std::string> test_file_names() {
  std::vector<std::string> names;
  try {
    for (const auto& path : find_conformance_tests(kSuiteDirectory / "tests"))
      names.push_back(path.filename().string());
  } catch (const std::exception&) {
    // Reported by SuiteIsComplete below; the parametrized suite is then empty.
  }
  return names;
}

const AssembledSuite& assembled_suite() {
  static const AssembledSuite suite =
      AssembledSuite::load(kSuiteDirectory / "tests_assembled.jsonl");
  return suite;
}

std::unique_ptr<Engine> make_interpreter(const Program& program, Runtime& runtime) {
  return std::make_unique<Interpreter>(program, runtime);
}

// "lock_fetch_add32.data" -> "lock_fetch_add32", "div32-by-zero-reg.data" -> "div32_by_zero_reg"
std::string test_name_of(const std::string& file) {
  std::string name = file.substr(0, file.rfind(".data"));
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

class InterpConformance : public ::testing::TestWithParam<std::string> {};

TEST_P(InterpConformance, ReturnsTheExpectedR0) {
  const ConformanceTest test = load_conformance_test(kSuiteDirectory / "tests" / GetParam());
  ASSERT_TRUE(test.expected_result.has_value()) << "every file of this suite has a result";
  const CaseOutcome outcome = run_case(make_case(test, assembled_suite()), make_interpreter);
  ASSERT_TRUE(outcome.return_value.has_value()) << outcome.reason;
  EXPECT_EQ(*outcome.return_value, *test.expected_result)
      << std::hex << "r0 = 0x" << *outcome.return_value << ", expected 0x" << *test.expected_result;
  EXPECT_TRUE(outcome.passed) << outcome.reason;
}

INSTANTIATE_TEST_SUITE_P(BpfConformance, InterpConformance, ::testing::ValuesIn(test_file_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return test_name_of(info.param);
                         });
// Without the test data the list above is empty; SuiteIsComplete then fails visibly.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(InterpConformance);

TEST(BpfConformanceSuite, SuiteIsComplete) {
  const auto names = test_file_names();
  EXPECT_EQ(names.size(), 313u) << "tests/*.data under " << kSuiteDirectory;
  EXPECT_EQ(assembled_suite().size(), 313u);
  std::set<std::string> test_names;
  for (const auto& name : names) {
    EXPECT_NE(assembled_suite().find(name), nullptr) << name << " has no assembled program";
    EXPECT_TRUE(test_names.insert(test_name_of(name)).second) << "duplicate test name for " << name;
  }
}

TEST(BpfConformanceSuite, RawSectionsAgreeWithTheAssembledPrograms) {
  int files_with_raw = 0;
  for (const auto& name : test_file_names()) {
    const ConformanceTest test = load_conformance_test(kSuiteDirectory / "tests" / name);
    if (test.raw.empty()) continue;
    ++files_with_raw;
    const auto* assembled = assembled_suite().find(name);
    ASSERT_NE(assembled, nullptr);
    EXPECT_EQ(*assembled, test.raw) << name;
  }
  EXPECT_GE(files_with_raw, 1);
}

}  // namespace
}  // namespace nicsim::ebpf::conformance
