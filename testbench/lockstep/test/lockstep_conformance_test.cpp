// The bpf_conformance suite on the RTL core: every test the NIC compiler accepts is run on the
// Verilated core against the suite's expected result, and in lockstep with the model (every
// cycle's retired bundle, register writes, memory writes and exit must agree). Programs the
// compiler refuses must be refused for the documented reason.

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
#include "model/suite/nic_conformance.h"
#include "testbench/lockstep/lockstep.h"
#include "testbench/rtl_engine/rtl_engine.h"

namespace nicsim::lockstep {
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

class RtlConformance : public ::testing::TestWithParam<std::string> {
 protected:
  void run(const jit::nic::CompileOptions& options) {
    const auto test = conformance::load_conformance_test(kSuiteDir / "tests" / GetParam());
    const auto test_case = conformance::make_case(test, assembled_suite());
    const ebpf::ElfObject object = ebpf::make_single_program_object(test_case.instructions);
    const auto refusal = expected_refusals().find(GetParam());
    firmware::Image image;
    try {
      image = jit::nic::compile(object.programs[0], object, options).image;
    } catch (const jit::nic::CompileError& e) {
      ASSERT_NE(refusal, expected_refusals().end()) << "refused: " << e.what();
      EXPECT_NE(std::string(e.what()).find(refusal->second), std::string::npos) << e.what();
      return;
    }
    ASSERT_EQ(refusal, expected_refusals().end()) << "expected a refusal: " << refusal->second;

    // The RTL against the suite's expected result.
    const conformance::CaseOutcome outcome =
        conformance::run_case(test_case, [&image](const ebpf::Program&, ebpf::Runtime& runtime) {
          return std::unique_ptr<ebpf::Engine>(new rtl::RtlEngine(image, runtime));
        });
    EXPECT_TRUE(outcome.passed) << GetParam() << ": " << outcome.reason;

    // The RTL against the model, cycle by cycle.
    ebpf::Runtime model_runtime(object);
    ebpf::Runtime rtl_runtime(object);
    ebpf::XdpFrame model_frame(test_case.memory);
    ebpf::XdpFrame rtl_frame(test_case.memory);
    const LockstepPacket packet{&model_frame, &rtl_frame, 0, 1'000'000'000};
    const LockstepResult result =
        run_lockstep(image, model_runtime, rtl_runtime, std::span(&packet, 1));
    EXPECT_FALSE(result.diverged) << GetParam() << "\n" << result.report;
    EXPECT_GT(result.bundles, 0u);
  }
};

TEST_P(RtlConformance, Default) {
  run(jit::nic::CompileOptions{});
}

TEST_P(RtlConformance, OneLaneNoPasses) {
  jit::nic::CompileOptions options = jit::nic::CompileOptions::unoptimised();
  options.lanes = 1;
  options.memory_ports = 1;
  run(options);
}

std::string case_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param.substr(0, info.param.rfind(".data"));
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Suite, RtlConformance, ::testing::ValuesIn(test_names()), case_name);

TEST(RtlConformanceSuite, HasEveryTest) {
  EXPECT_EQ(test_names().size(), 313u);
}

}  // namespace
}  // namespace nicsim::lockstep
