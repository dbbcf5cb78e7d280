// The bpf_conformance suite on the NIC: every test file is compiled by jit/nic and run on the
// SystemC model through the conformance library's engine-agnostic runner, in three shapes (the
// default core with every pass, a one-lane core with no pass, an eight-lane core). Programs the
// core cannot run must be refused, with the reason listed below, never run wrongly.

#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "ebpf/conformance/assembled_suite.h"
#include "ebpf/conformance/runner.h"
#include "ebpf/conformance/test_file.h"
#include "jit/nic/compiler.h"
#include "model/engine/model_engine.h"
#include "model/suite/nic_conformance.h"

namespace nicsim::model {
namespace {

namespace conformance = ebpf::conformance;

const std::filesystem::path& kSuiteDir = model::suite::conformance_suite_dir();

// The tests the NIC refuses, and a fragment of the reason it must give (one list for both
// engines).
const std::map<std::string, std::string>& expected_refusals() {
  return model::suite::nic_conformance_refusals();
}

std::vector<std::string> test_names() {
  return model::suite::conformance_test_names();
}

const conformance::AssembledSuite& assembled_suite() {
  return model::suite::assembled_conformance_suite();
}

conformance::EngineFactory nic_engine(jit::nic::CompileOptions options) {
  return [options](const ebpf::Program& program,
                   ebpf::Runtime& runtime) -> std::unique_ptr<ebpf::Engine> {
    jit::nic::CompileResult compiled = jit::nic::compile(program, runtime.object(), options);
    return std::make_unique<ModelEngine>(std::move(compiled.image), runtime);
  };
}

class ModelConformance : public ::testing::TestWithParam<std::string> {
 protected:
  void run(const jit::nic::CompileOptions& options) {
    const auto test = conformance::load_conformance_test(kSuiteDir / "tests" / GetParam());
    const auto test_case = conformance::make_case(test, assembled_suite());
    const ebpf::ElfObject object = ebpf::make_single_program_object(test_case.instructions);
    auto refusal = expected_refusals().find(GetParam());
    try {
      jit::nic::compile(object.programs[0], object, options);
    } catch (const jit::nic::CompileError& e) {
      ASSERT_NE(refusal, expected_refusals().end()) << "refused: " << e.what();
      EXPECT_NE(std::string(e.what()).find(refusal->second), std::string::npos) << e.what();
      return;
    }
    ASSERT_EQ(refusal, expected_refusals().end()) << "expected a refusal: " << refusal->second;
    const conformance::CaseOutcome outcome = conformance::run_case(test_case, nic_engine(options));
    EXPECT_TRUE(outcome.passed) << GetParam() << ": " << outcome.reason;
  }
};

TEST_P(ModelConformance, Default) {
  run(jit::nic::CompileOptions{});
}

TEST_P(ModelConformance, OneLaneNoPasses) {
  jit::nic::CompileOptions options = jit::nic::CompileOptions::unoptimised();
  options.lanes = 1;
  options.memory_ports = 1;
  run(options);
}

TEST_P(ModelConformance, EightLanes) {
  jit::nic::CompileOptions options;
  options.lanes = 8;
  options.memory_ports = 4;
  run(options);
}

std::string case_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param.substr(0, info.param.rfind(".data"));
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Suite, ModelConformance, ::testing::ValuesIn(test_names()), case_name);

TEST(ModelConformanceSuite, HasEveryTest) {
  EXPECT_EQ(test_names().size(), 313u);
}

}  // namespace
}  // namespace nicsim::model
