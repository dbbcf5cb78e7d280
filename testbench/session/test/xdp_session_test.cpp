#include "testbench/session/xdp_session.h"

#include <gtest/gtest.h>

#include "ebpf/asm/assembler.h"
#include "ebpf/interp/interpreter.h"

namespace nicsim::testbench {
namespace {

using ebpf::XdpAction;

// Returns the packet's first byte as the action, so each packet picks its own fate.
constexpr const char* kFirstByteIsAction = R"(
  r2 = *(u32 *)(r1 + 0)
  r3 = *(u32 *)(r1 + 4)
  r4 = r2
  r4 += 1
  if r4 > r3 goto +2
  r0 = *(u8 *)(r2 + 0)
  exit
  r0 = 2
  exit
)";

traffic::Packet packet_with_first_byte(uint8_t first, size_t length = 60) {
  traffic::Packet packet;
  packet.bytes.assign(length, 0xab);
  packet.bytes[0] = first;
  return packet;
}

TEST(XdpSession, AccountsForEveryPacket) {
  auto object = ebpf::make_single_program_object(ebpf::assemble(kFirstByteIsAction),
                                                 ebpf::ProgramType::Xdp);
  ebpf::Runtime runtime(object);
  ebpf::Interpreter interp(object.programs[0], runtime);
  XdpSession session(interp, runtime);

  const uint8_t fates[] = {0, 1, 2, 3, 4, 7, 2, 1};
  for (uint8_t fate : fates) session.process(packet_with_first_byte(fate));

  const RunStats& stats = session.stats();
  EXPECT_EQ(stats.packets, 8u);
  EXPECT_TRUE(stats.balanced());
  EXPECT_EQ(stats.count(XdpAction::Aborted), 2u);  // returned 0, and 7 (not an action)
  EXPECT_EQ(stats.count(XdpAction::Drop), 2u);
  EXPECT_EQ(stats.count(XdpAction::Pass), 2u);
  EXPECT_EQ(stats.count(XdpAction::Tx), 1u);
  EXPECT_EQ(stats.count(XdpAction::Redirect), 1u);
  EXPECT_EQ(stats.unknown_return_values, 1u);
  EXPECT_EQ(stats.bytes_in, 8u * 60);
  EXPECT_EQ(stats.bytes_out, 4u * 60);  // pass, pass, tx, redirect
  ASSERT_EQ(stats.first_aborts.size(), 2u);
  EXPECT_EQ(stats.first_aborts[1].first, 5u);
  EXPECT_NE(stats.first_aborts[1].second.find("returned 7"), std::string::npos);
}

TEST(XdpSession, OutputCarriesTheProgramsBytes) {
  // Writes 0x55 into byte 1 and transmits.
  auto object = ebpf::make_single_program_object(ebpf::assemble(R"(
    r2 = *(u32 *)(r1 + 0)
    r3 = *(u32 *)(r1 + 4)
    r4 = r2
    r4 += 2
    if r4 > r3 goto +3
    *(u8 *)(r2 + 1) = 0x55
    r0 = 3
    exit
    r0 = 1
    exit
  )"),
                                                 ebpf::ProgramType::Xdp);
  ebpf::Runtime runtime(object);
  ebpf::Interpreter interp(object.programs[0], runtime);
  XdpSession session(interp, runtime);
  auto result = session.process(packet_with_first_byte(9, 64));
  EXPECT_EQ(result.action, XdpAction::Tx);
  ASSERT_EQ(result.output.bytes.size(), 64u);
  EXPECT_EQ(result.output.bytes[0], 9);
  EXPECT_EQ(result.output.bytes[1], 0x55);
  EXPECT_EQ(result.output.bytes[2], 0xab);
  const auto json = to_json(session.stats());
  EXPECT_EQ(json["actions"]["tx"], 1);
  EXPECT_EQ(json["packets"], 1);
}

TEST(XdpSession, MemoryFaultAbortsWithDiagnostic) {
  // Reads past data_end without a bounds check.
  auto object = ebpf::make_single_program_object(ebpf::assemble(R"(
    r2 = *(u32 *)(r1 + 0)
    r0 = *(u8 *)(r2 + 4000)
    exit
  )"),
                                                 ebpf::ProgramType::Xdp);
  ebpf::Runtime runtime(object);
  ebpf::Interpreter interp(object.programs[0], runtime);
  XdpSession session(interp, runtime);
  auto result = session.process(packet_with_first_byte(1));
  EXPECT_EQ(result.action, XdpAction::Aborted);
  EXPECT_TRUE(result.execution.aborted);
  ASSERT_EQ(session.stats().first_aborts.size(), 1u);
  EXPECT_NE(session.stats().first_aborts[0].second.find("insn 1"), std::string::npos);
}

}  // namespace
}  // namespace nicsim::testbench
