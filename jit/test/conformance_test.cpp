// The bpf_conformance suite on every JIT backend (arm64 under Unicorn on non-AArch64 hosts):
// every test file of the shared test data is one CTest case per backend, run through the
// conformance library's engine-agnostic runner with the JIT as the engine, checked (as for any
// unverified program) and once more with constant blinding.

#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include "ebpf/conformance/assembled_suite.h"
#include "ebpf/conformance/runner.h"
#include "ebpf/conformance/test_file.h"
#include "jit/test/jit_test_support.h"

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

using Param = std::tuple<std::string, std::string>;  // target, test file

class JitConformance : public ::testing::TestWithParam<Param> {
 protected:
  void run(JitOptions options) {
    const JitTarget& target = jit_target(std::get<0>(GetParam()));
    NICSIM_REQUIRE_RUNNABLE(target);
    const std::string& name = std::get<1>(GetParam());
    const auto test = conformance::load_conformance_test(kSuiteDir / "tests" / name);
    const auto test_case = conformance::make_case(test, assembled_suite());
    const conformance::EngineFactory engine = [&target, options](const ebpf::Program& program,
                                                                 ebpf::Runtime& runtime) {
      return std::unique_ptr<ebpf::Engine>(target.make(program, runtime, options, nullptr));
    };
    const conformance::CaseOutcome outcome = conformance::run_case(test_case, engine);
    EXPECT_TRUE(outcome.passed) << target.name << " " << name << ": " << outcome.reason;
  }
};

TEST_P(JitConformance, Checked) {
  run(JitOptions{});
}

TEST_P(JitConformance, Hardened) {
  JitOptions options;
  options.harden = true;
  run(options);
}

// "x86_64", "lock_fetch_add32.data" -> "x86_64_lock_fetch_add32_data".
std::string case_name(const ::testing::TestParamInfo<Param>& info) {
  std::string name = std::get<0>(info.param) + "_" + std::get<1>(info.param);
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Suite, JitConformance,
                         ::testing::Combine(::testing::ValuesIn(target_names()),
                                            ::testing::ValuesIn(test_names())),
                         case_name);

TEST(JitConformanceSuite, HasEveryTest) {
  EXPECT_EQ(test_names().size(), 313u);
}

TEST(JitConformanceSuite, RunsOnEveryHostBackend) {
  EXPECT_EQ(target_names(), (std::vector<std::string>{"x86_64", "arm64"}));
}

}  // namespace
}  // namespace nicsim::jit::test
