// Waveforms of the RTL engine: the dump is written, limited to its window, and every signal
// the GTKWave save file names exists in it; the translate filter turns slot words into NIC
// assembly.

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "testbench/rtl_engine/test/rtl_test_support.h"
#include "testbench/wave/gtkw_writer.h"
#include "testbench/wave/slot_filter.h"
#include "testbench/wave/wave_viewer.h"

namespace nicsim::wave {
namespace {

TEST(SlotFilter, ShowsSlotWordsAsAssembly) {
  // exit 2: opcode 0x02, imm32 2.
  EXPECT_EQ(translate_slot_value("0200000000000002"), "exit 2");
  EXPECT_EQ(translate_slot_value("0x0200000000000002\n"), "exit 2");
  EXPECT_EQ(translate_slot_value("0000000000000000"), "nop");
  // add r3, r1, 14: ALU64 add with an immediate is opcode 0x81; rd 3, ra 1.
  EXPECT_EQ(translate_slot_value("813100000000000e"), "add r3, r1, 14");
  EXPECT_EQ(translate_slot_value("xxxxxxxxxxxxxxxx"), "xxxxxxxxxxxxxxxx");
  EXPECT_EQ(translate_slot_value("ff00000000000000"), "ff00000000000000");  // invalid
}

TEST(GtkwWriter, GroupsSignalsAndDeclaresTheFilter) {
  GtkwLayout layout;
  layout.dump_file = "out.fst";
  layout.filter_path = "/bin/filter";
  layout.groups.push_back(
      {"Fetch", {{"nic.a", SignalFormat::Binary}, {"nic.b", SignalFormat::Slot}}, false});
  const std::string text = format_gtkw(layout);
  EXPECT_NE(text.find("[dumpfile] \"out.fst\""), std::string::npos);
  EXPECT_NE(text.find("@800200\n-Fetch\n"), std::string::npos);
  EXPECT_NE(text.find("@28\nnic.a\n"), std::string::npos);
  EXPECT_NE(text.find("^>1 /bin/filter\n@4022\nnic.b\n"), std::string::npos);
  EXPECT_NE(text.find("@1000200\n-Fetch\n"), std::string::npos);
  EXPECT_EQ(gtkw_path_for("/tmp/x/out.fst"), "/tmp/x/out.gtkw");
}

TEST(WaveViewer, OpensTheSaveFileBesideTheDump) {
  const auto dir = std::filesystem::temp_directory_path() / "nicsim_wave_viewer";
  std::filesystem::create_directories(dir);
  const std::string dump = (dir / "a b.fst").string();
  std::ofstream(gtkw_path_for(dump)) << "";
  const ViewerCommand v = viewer_command(dump);
  EXPECT_EQ(v.command, "gtkwave '" + dump + "' '" + gtkw_path_for(dump) + "'");
  std::filesystem::remove(gtkw_path_for(dump));
  EXPECT_EQ(viewer_command(dump).command, "gtkwave '" + dump + "'");
}

TEST(WaveViewer, LocatesTheFilter) {
  // The test runs in the build tree, whose bin/ holds nicsim-wave-filter.
  unsetenv("NICSIM_WAVE_FILTER");
  EXPECT_EQ(std::filesystem::canonical(locate_wave_filter()),
            std::filesystem::canonical(NICSIM_WAVE_FILTER));
  setenv("NICSIM_WAVE_FILTER", "/opt/filter", 1);
  EXPECT_EQ(locate_wave_filter(), "/opt/filter");
  unsetenv("NICSIM_WAVE_FILTER");
}

std::set<std::string> vcd_signals(const std::string& vcd) {
  // Full names scope.scope.name from the VCD header.
  std::set<std::string> names;
  std::vector<std::string> scopes;
  std::istringstream in(vcd);
  std::string token;
  while (in >> token) {
    if (token == "$scope") {
      std::string kind, name;
      in >> kind >> name;
      scopes.push_back(name);
    } else if (token == "$upscope") {
      scopes.pop_back();
    } else if (token == "$var") {
      std::string type, width, id, name;
      in >> type >> width >> id >> name;
      std::string full;
      for (const auto& s : scopes)
        full += s + ".";
      names.insert(full + name);
    } else if (token == "$enddefinitions") {
      break;
    }
  }
  return names;
}

TEST(RtlWave, DumpAndSaveFileAgree) {
  const auto dir = std::filesystem::temp_directory_path() / "nicsim_wave_test";
  std::filesystem::create_directories(dir);
  const std::string fst = (dir / "run.fst").string();
  rtl::test::EmptyWorld world;
  rtl::RtlEngine engine(rtl::test::asm_image("mov r3, 4\nld1 r0, [r1+r3+3]\nexit r0"),
                        *world.runtime);
  engine.system().open_wave({fst, rtl::WaveFormat::Fst, 0, UINT64_MAX, NICSIM_WAVE_FILTER});
  auto memory = rtl::test::numbered_packet();
  EXPECT_EQ(engine.run_raw(memory).return_value, 7u);
  engine.system().close_wave();
  ASSERT_TRUE(std::filesystem::exists(fst));
  const std::string gtkw = gtkw_path_for(fst);
  ASSERT_TRUE(std::filesystem::exists(gtkw));

  const std::string vcd = (dir / "run.vcd").string();
  ASSERT_EQ(std::system(("fst2vcd " + fst + " > " + vcd).c_str()), 0);
  std::ifstream vcd_file(vcd);
  std::stringstream vcd_text;
  vcd_text << vcd_file.rdbuf();
  const auto names = vcd_signals(vcd_text.str());
  EXPECT_GT(names.size(), 100u);

  std::ifstream gtkw_file(gtkw);
  std::string line;
  size_t checked = 0;
  while (std::getline(gtkw_file, line)) {
    if (line.empty() || line[0] == '@' || line[0] == '-' || line[0] == '[' || line[0] == '^')
      continue;
    std::string name = line.substr(0, line.find('['));  // vectors: "x[63:0]" in the dump
    EXPECT_TRUE(names.count(name) || names.count(line)) << "not in the dump: " << line;
    ++checked;
  }
  EXPECT_GT(checked, 20u);
}

// VCD (converted from the FST) and the cycle window: only cycles [from, to) are dumped.
TEST(RtlWave, VcdWithAWindow) {
  const auto dir = std::filesystem::temp_directory_path() / "nicsim_wave_test";
  std::filesystem::create_directories(dir);
  const std::string vcd = (dir / "window.vcd").string();
  rtl::test::EmptyWorld world;
  rtl::RtlEngine engine(rtl::test::asm_image("mov r3, 4\nld1 r0, [r1+r3+3]\nexit r0"),
                        *world.runtime);
  engine.system().open_wave({vcd, rtl::WaveFormat::Vcd, 3, 5, ""});
  auto memory = rtl::test::numbered_packet();
  EXPECT_EQ(engine.run_raw(memory).return_value, 7u);
  engine.system().close_wave();
  std::ifstream in(vcd);
  ASSERT_TRUE(in) << vcd;
  std::string line;
  std::vector<uint64_t> times;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '#') times.push_back(std::stoull(line.substr(1)));
  }
  // At 250 MHz a cycle is 4000 ps; cycle c is dumped at 4000c (clock low) and 4000c + 2000.
  ASSERT_FALSE(times.empty());
  EXPECT_EQ(times.front(), 3u * 4000u);
  EXPECT_LE(times.back(), 4u * 4000u + 2000u);
  EXPECT_FALSE(std::filesystem::exists(vcd + ".fst.tmp"));
}

}  // namespace
}  // namespace nicsim::wave
