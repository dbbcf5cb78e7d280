// The compiler's interface: pass switches by name, core shapes, the disassembly and the report.
#include <gtest/gtest.h>

#include "ebpf/util/error.h"
#include "jit/nic/test/test_support.h"

namespace nicsim::jit::nic::test {
namespace {

TEST(CompileOptions, PassesByName) {
  CompileOptions options;
  for (Pass pass : all_passes()) {
    EXPECT_TRUE(options.enabled(pass));
    options.disable(pass_name(pass));
    EXPECT_FALSE(options.enabled(pass));
  }
  EXPECT_TRUE(options.no_schedule);
  try {
    options.disable("inline");
    FAIL() << "unknown pass accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown NIC compiler pass 'inline'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("access-merge"), std::string::npos);
  }
  const CompileOptions none = CompileOptions::unoptimised();
  for (Pass pass : all_passes())
    EXPECT_FALSE(none.enabled(pass));
}

TEST(CompileOptions, RefusesImpossibleCores) {
  const auto object = object_from_asm("r0 = 2\nexit");
  CompileOptions options;
  options.lanes = 9;
  EXPECT_THROW(compile_object(object, options), Error);
  options.lanes = 2;
  options.memory_ports = 3;
  EXPECT_THROW(compile_object(object, options), Error);
}

TEST(Disassembly, ShowsBundlesAndTheirInstructions) {
  const auto object = object_from_asm("r2 = *(u32 *)(r1 + 4)\nr3 = 5\nr0 = 2\nexit");
  const std::string text = disassemble_image(compile_object(object).image);
  EXPECT_NE(text.find("; program 'prog': 4 lanes, 2 memory ports, xdp entry"), std::string::npos)
      << text;
  EXPECT_NE(text.find("0000: { exit 2 }"), std::string::npos) << text;
  EXPECT_NE(text.find("2: r0 = 2"), std::string::npos) << text;
  EXPECT_NE(text.find("3: exit"), std::string::npos) << text;
}

TEST(Report, CountsWhatThePassesDid) {
  const auto object =
      object_from_asm("r2 = 7\nr3 = r2\nr3 *= 3\nr0 = r3\nexit", ebpf::ProgramType::Unspec);
  const auto result = compile_object(object);
  EXPECT_EQ(result.report.ebpf_instructions, 5u);
  EXPECT_EQ(result.report.ops_lowered, 5u);
  EXPECT_LT(result.report.ops_final, result.report.ops_lowered);
  EXPECT_EQ(result.report.program_bundles, result.image.program_bundles);
  const std::string text = format_report(result.report);
  EXPECT_NE(text.find("const-fold:"), std::string::npos);
  EXPECT_NE(text.find("bundles: 1 program + 0 firmware routine"), std::string::npos) << text;
}

TEST(Image, RoundTripsThroughTheFileFormat) {
  const auto object = object_from_asm("call 7\nr0 &= 3\nexit");
  const firmware::Image image = compile_object(object).image;
  EXPECT_EQ(firmware::read_image(firmware::write_image(image), "test"), image);
}

}  // namespace
}  // namespace nicsim::jit::nic::test
