#include "ebpf/program/program.h"

#include <gtest/gtest.h>

#include "ebpf/util/error.h"

namespace nicsim::ebpf {
namespace {

TEST(ProgramType, FromSectionNames) {
  EXPECT_EQ(program_type_from_section("xdp"), ProgramType::Xdp);
  EXPECT_EQ(program_type_from_section("xdp1"), ProgramType::Xdp);  // legacy prefix match
  EXPECT_EQ(program_type_from_section("tc"), ProgramType::SchedCls);
  EXPECT_EQ(program_type_from_section("classifier/ingress"), ProgramType::SchedCls);
  EXPECT_EQ(program_type_from_section("kprobe/sys_write"), ProgramType::Kprobe);
  EXPECT_EQ(program_type_from_section("tracepoint/syscalls/sys_enter"), ProgramType::Tracepoint);
  EXPECT_EQ(program_type_from_section("socket1"), ProgramType::SocketFilter);
  EXPECT_EQ(program_type_from_section("raw_tracepoint/sched_switch"), ProgramType::RawTracepoint);
  EXPECT_EQ(program_type_from_section("2/1"), ProgramType::Unspec);
  EXPECT_EQ(program_type_name(ProgramType::SchedCls), "sched_cls");
  EXPECT_EQ(map_type_name(MapType::LpmTrie), "lpm_trie");
  EXPECT_EQ(map_type_name(static_cast<MapType>(999)), "unknown");
}

TEST(Program, LocationOfUsesPrecedingEntry) {
  Program prog;
  prog.line_info = {{0, {"a.c", 10, 1, "x"}}, {4, {"a.c", 12, 3, "y"}}};
  ASSERT_NE(prog.location_of(3), nullptr);
  EXPECT_EQ(prog.location_of(3)->line, 10u);
  EXPECT_EQ(prog.location_of(4)->line, 12u);
  EXPECT_EQ(prog.location_of(100)->text, "y");
  prog.line_info = {{2, {"a.c", 1, 1, ""}}};
  EXPECT_EQ(prog.location_of(1), nullptr);
}

TEST(ElfObject, FindProgramByEitherName) {
  ElfObject object;
  object.path = "x.o";
  Program a;
  a.section = "xdp";
  a.function = "xdp_main";
  Program b;
  b.section = "tc";
  b.function = "tc_main";
  object.programs = {a, b};
  EXPECT_EQ(&object.find_program("xdp"), &object.programs[0]);
  EXPECT_EQ(&object.find_program("tc_main"), &object.programs[1]);
  EXPECT_EQ(&object.find_program("xdp/xdp_main"), &object.programs[0]);
  try {
    object.find_program("nope");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "x.o: no program named 'nope' (available: xdp/xdp_main, tc/tc_main)");
  }
}

}  // namespace
}  // namespace nicsim::ebpf
