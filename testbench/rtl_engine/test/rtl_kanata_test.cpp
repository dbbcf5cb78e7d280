// The Kanata pipeline trace of the RTL engine, checked against the cycles derived by hand for a
// three-bundle program (docs/nic-isa.md section 6; the context starts at cycle 2).

#include "testbench/rtl_engine/rtl_kanata.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "firmware/asm/nic_asm.h"
#include "testbench/rtl_engine/test/rtl_test_support.h"

namespace nicsim::rtl {
namespace {

std::string label(const firmware::Image& image, size_t bundle) {
  return firmware::disassemble_bundle(image.bundle(bundle), image.constants);
}

TEST(RtlKanata, BundlesMoveThroughTheStages) {
  const auto path = std::filesystem::temp_directory_path() / "nicsim_kanata_test.log";
  test::EmptyWorld world;
  const firmware::Image image = test::asm_image("ld1 r0, [r1+5]\nadd r0, r0, 1\nexit r0");
  {
    RtlEngine engine(image, *world.runtime);
    engine.system().open_pipeline_trace(path.string());
    auto memory = test::numbered_packet();
    EXPECT_EQ(engine.run_raw(memory).return_value, 6u);
    engine.system().close_pipeline_trace();
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const std::string log = text.str();
  // ld fetched at 2 (the trace starts there), issued at 3; add fetched at 3, waits for the
  // load until 5; exit fetched at 5, issued at 6.
  const std::string expected =
      "Kanata\t0004\n"
      "C=\t2\n"
      "I\t0\t0\t0\n"
      "L\t0\t0\tc0 @0: " +
      label(image, 0) +
      "\n"
      "S\t0\t0\tF\n"
      "C\t1\n"
      "E\t0\t0\tF\nS\t0\t0\tQ\n"
      "E\t0\t0\tQ\nS\t0\t0\tX\n"
      "I\t1\t1\t0\n"
      "L\t1\t0\tc0 @1: " +
      label(image, 1) +
      "\n"
      "S\t1\t0\tF\n"
      "C\t1\n"
      "E\t1\t0\tF\nS\t1\t0\tQ\n"
      "E\t0\t0\tX\nR\t0\t0\t0\n"
      "C\t1\n"
      "E\t1\t0\tQ\nS\t1\t0\tX\n"
      "I\t2\t2\t0\n"
      "L\t2\t0\tc0 @2: " +
      label(image, 2) +
      "\n"
      "S\t2\t0\tF\n"
      "C\t1\n"
      "E\t2\t0\tF\nS\t2\t0\tQ\n"
      "E\t1\t0\tX\nR\t1\t1\t0\n"
      "E\t2\t0\tQ\nS\t2\t0\tX\n"
      "L\t2\t1\texit, r0 = 0x6\n"
      "C\t1\n"
      "E\t2\t0\tX\nR\t2\t2\t0\n";
  EXPECT_EQ(log, expected);
}

}  // namespace
}  // namespace nicsim::rtl
