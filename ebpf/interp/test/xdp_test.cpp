// XDP programs: the xdp_md context (32-bit loads of data/data_end/data_meta yield pointers),
// packet reads and writes inside data_meta..data_end, faults outside it and on any context
// store, packet moves by bpf_xdp_adjust_head, and repeated runs on one frame.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "ebpf/interp/test/test_support.h"
#include "ebpf/runtime/helpers.h"

namespace nicsim::ebpf::test {
namespace {

using ::testing::HasSubstr;

// 60-byte Ethernet frame carrying IPv4 (ethertype 0x0800); byte i of the payload is i.
std::vector<uint8_t> ipv4_packet() {
  std::vector<uint8_t> packet(60);
  for (size_t i = 0; i < packet.size(); ++i)
    packet[i] = static_cast<uint8_t>(i);
  packet[12] = 0x08;
  packet[13] = 0x00;
  return packet;
}

ExecutionResult run_xdp(std::vector<Instruction> program, XdpFrame& frame) {
  Harness harness(make_single_program_object(std::move(program), ProgramType::Xdp));
  return harness.interpreter->run_xdp(frame);
}

uint64_t xdp_r0(std::vector<Instruction> program, XdpFrame& frame) {
  const ExecutionResult result = run_xdp(std::move(program), frame);
  EXPECT_FALSE(result.aborted) << result.diagnostic;
  return result.return_value;
}

// r2 = data, r3 = data_end
const std::vector<Instruction> kLoadBounds = {ldx(kSizeW, 2, 1, kXdpMdData),
                                              ldx(kSizeW, 3, 1, kXdpMdDataEnd)};

std::vector<Instruction> with_bounds(std::initializer_list<Instruction> rest) {
  std::vector<Instruction> program = kLoadBounds;
  program.insert(program.end(), rest);
  return program;
}

TEST(InterpXdp, DataAndDataEndArePointersToThePacket) {
  const auto packet = ipv4_packet();
  XdpFrame frame(packet);
  EXPECT_EQ(xdp_r0(with_bounds({mov64_reg(0, 3), alu64_reg(kAluSub, 0, 2), exit_insn()}), frame),
            60u);
  // The 32-bit load yields the full 64-bit host pointer.
  EXPECT_EQ(xdp_r0(with_bounds({mov64_reg(0, 2), exit_insn()}), frame),
            reinterpret_cast<uint64_t>(frame.data()));
  // 64-bit loads of the pointer fields are accepted too.
  EXPECT_EQ(xdp_r0(code({ldx(kSizeDw, 0, 1, kXdpMdDataEnd), exit_insn()}), frame),
            reinterpret_cast<uint64_t>(frame.data_end()));
}

TEST(InterpXdp, ScalarFieldsAndDataMeta) {
  const auto packet = ipv4_packet();
  XdpFrame frame(packet, /*ingress_ifindex=*/7, /*rx_queue_index=*/3);
  EXPECT_EQ(xdp_r0(code({ldx(kSizeW, 0, 1, kXdpMdIngressIfindex), exit_insn()}), frame), 7u);
  EXPECT_EQ(xdp_r0(code({ldx(kSizeW, 0, 1, kXdpMdRxQueueIndex), exit_insn()}), frame), 3u);
  EXPECT_EQ(xdp_r0(code({ldx(kSizeW, 2, 1, kXdpMdData), ldx(kSizeW, 3, 1, kXdpMdDataMeta),
                         mov64_reg(0, 2), alu64_reg(kAluSub, 0, 3), exit_insn()}),
                   frame),
            0u)
      << "no metadata yet: data_meta == data";
}

TEST(InterpXdp, ReadsTheEthertypeAfterABoundsCheck) {
  const auto packet = ipv4_packet();
  XdpFrame frame(packet);
  const auto program = with_bounds({
      mov64_reg(4, 2),
      alu64_imm(kAluAdd, 4, 14),
      jmp_reg(kJmpJgt, 4, 3, 3),  // -> drop
      ldx(kSizeH, 0, 2, 12),
      be(0, 16),
      exit_insn(),
      mov64_imm(0, 1),  // drop
      exit_insn(),
  });
  EXPECT_EQ(xdp_r0(program, frame), 0x0800u);
}

TEST(InterpXdp, LegacyLoadReadsThePacket) {
  const auto packet = ipv4_packet();
  XdpFrame frame(packet);
  EXPECT_EQ(xdp_r0(code({ld_abs(kSizeH, 12), exit_insn()}), frame), 0x0800u);
}

TEST(InterpXdp, WritesReachThePacket) {
  const auto packet = ipv4_packet();
  XdpFrame frame(packet);
  const auto program = with_bounds({
      st(kSizeB, 2, 0, 0xff),
      st(kSizeH, 2, 58, 0x1234),  // the last two bytes
      mov64_imm(0, static_cast<int32_t>(XdpAction::Tx)),
      exit_insn(),
  });
  const ExecutionResult result = run_xdp(program, frame);
  ASSERT_FALSE(result.aborted) << result.diagnostic;
  EXPECT_EQ(xdp_action_of(result), XdpAction::Tx);
  EXPECT_EQ(frame.packet()[0], 0xff);
  EXPECT_EQ(frame.packet()[1], 1);
  EXPECT_EQ(frame.packet()[58], 0x34);
  EXPECT_EQ(frame.packet()[59], 0x12);
}

TEST(InterpXdp, AccessBeyondDataEndFaults) {
  const auto packet = ipv4_packet();
  XdpFrame frame(packet);
  const ExecutionResult result = run_xdp(with_bounds({ldx(kSizeB, 0, 3, 0), exit_insn()}), frame);
  ASSERT_TRUE(result.aborted);
  EXPECT_EQ(xdp_action_of(result), XdpAction::Aborted);
  EXPECT_THAT(result.diagnostic, HasSubstr("insn 2: invalid read of 1 bytes at 0x"));
  EXPECT_THAT(result.diagnostic, HasSubstr("(not stack, context, packet or map value)"));
}

TEST(InterpXdp, WriteIntoTheHeadroomFaults) {
  const auto packet = ipv4_packet();
  XdpFrame frame(packet);
  const ExecutionResult result =
      run_xdp(with_bounds({st(kSizeB, 2, -1, 0), mov64_imm(0, 2), exit_insn()}), frame);
  ASSERT_TRUE(result.aborted);
  EXPECT_THAT(result.diagnostic, HasSubstr("insn 2: invalid write of 1 bytes"));
}

TEST(InterpXdp, BadContextAccessesFault) {
  const auto packet = ipv4_packet();
  XdpFrame frame(packet);
  struct Case {
    const char* name;
    std::vector<Instruction> program;
    const char* diagnostic;
  };
  const std::vector<Case> cases = {
      {"misaligned field", code({ldx(kSizeW, 0, 1, 2), exit_insn()}),
       "insn 0: invalid read of 4 bytes at xdp_md+2"},
      {"narrow load", code({ldx(kSizeH, 0, 1, 0), exit_insn()}),
       "insn 0: invalid read of 2 bytes at xdp_md+0"},
      {"sign-extending load", code({ldxs(kSizeW, 0, 1, kXdpMdIngressIfindex), exit_insn()}),
       "invalid sign-extending read of 4 bytes at xdp_md+12"},
      {"64-bit load of a scalar field",
       code({ldx(kSizeDw, 0, 1, kXdpMdIngressIfindex), exit_insn()}),
       "invalid read of 8 bytes at xdp_md+12"},
      {"past the end of xdp_md", code({ldx(kSizeW, 0, 1, kXdpMdSize), exit_insn()}),
       "invalid read of 4 bytes at 0x"},
      {"store", code({st(kSizeW, 1, 0, 0), exit_insn()}),
       "invalid write of 4 bytes at xdp_md+0: the context is read-only"},
      {"register store", code({stx(kSizeW, 1, 1, 12), exit_insn()}),
       "invalid write of 4 bytes at xdp_md+12"},
      {"atomic", code({atomic(kSizeW, kAtomicAdd, 1, 1, 12), exit_insn()}),
       "invalid write of 4 bytes at xdp_md+12"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const ExecutionResult result = run_xdp(c.program, frame);
    EXPECT_TRUE(result.aborted);
    EXPECT_THAT(result.diagnostic, HasSubstr(c.diagnostic));
  }
}

TEST(InterpXdp, AdjustHeadThenReloadData) {
  ASSERT_NE(find_helper(kHelperXdpAdjustHead), nullptr) << "bpf_xdp_adjust_head is missing";
  const auto packet = ipv4_packet();
  XdpFrame frame(packet);
  const auto program = code({
      mov64_reg(6, 1),
      mov64_imm(2, 14),  // pop the Ethernet header
      call_helper(kHelperXdpAdjustHead),
      jmp_imm(kJmpJne, 0, 0, 8),  // -> fail
      ldx(kSizeW, 2, 6, kXdpMdData),
      ldx(kSizeW, 3, 6, kXdpMdDataEnd),
      ldx(kSizeB, 4, 2, 0),  // first byte of the new data: old byte 14
      alu64_reg(kAluSub, 3, 2),
      alu64_imm(kAluLsh, 3, 8),
      alu64_reg(kAluOr, 3, 4),
      mov64_reg(0, 3),  // (length << 8) | first byte
      exit_insn(),
      mov64_imm(0, -1),  // fail
      exit_insn(),
  });
  EXPECT_EQ(xdp_r0(program, frame), (46u << 8) | 14u);
  EXPECT_EQ(frame.length(), 46u);
}

TEST(InterpXdp, RunsAgainOnAnotherFrame) {
  Harness harness(make_single_program_object(
      with_bounds({mov64_reg(0, 3), alu64_reg(kAluSub, 0, 2), exit_insn()}), ProgramType::Xdp));
  const std::vector<uint8_t> small(20, 0), large(1500, 0);
  XdpFrame first(small);
  XdpFrame second(large);
  EXPECT_EQ(harness.interpreter->run_xdp(first).return_value, 20u);
  EXPECT_EQ(harness.interpreter->run_xdp(second).return_value, 1500u);
  EXPECT_EQ(harness.interpreter->run_xdp(first).return_value, 20u);
}

// Engine::run_xdp_repeated, as the interpreter has it (the default: one run_xdp per run), the
// reference for the engines that override it.
TEST(InterpXdp, RepeatedRunsSeeThePacketThePreviousRunLeft) {
  // Increments the packet's first byte (0 in ipv4_packet) and transmits.
  Harness harness(make_single_program_object(
      with_bounds({ldx(kSizeB, 4, 2, 0), alu64_imm(kAluAdd, 4, 1), stx(kSizeB, 2, 4, 0),
                   mov64_imm(0, static_cast<int32_t>(XdpAction::Tx)), exit_insn()}),
      ProgramType::Xdp));
  XdpFrame frame(ipv4_packet());
  const ExecutionResult result = harness.interpreter->run_xdp_repeated(frame, 5);
  EXPECT_EQ(xdp_action_of(result), XdpAction::Tx);
  EXPECT_EQ(result.instructions, 7u);  // one run's, not five
  EXPECT_EQ(frame.packet()[0], 5);
  EXPECT_EQ(harness.runtime->invocation_index(), 5u);  // every run is an invocation
  harness.interpreter->run_xdp_repeated(frame, 0);     // as in the kernel: one run
  EXPECT_EQ(frame.packet()[0], 6);
}

TEST(InterpXdp, RepeatedRunsStopAtTheRunThatAborts) {
  // Increments the first byte; reads beyond data_end once it reaches 3.
  Harness harness(make_single_program_object(
      with_bounds({ldx(kSizeB, 4, 2, 0), alu64_imm(kAluAdd, 4, 1), stx(kSizeB, 2, 4, 0),
                   jmp_imm(kJmpJne, 4, 3, 1), ldx(kSizeB, 0, 3, 0), mov64_imm(0, 2), exit_insn()}),
      ProgramType::Xdp));
  XdpFrame frame(ipv4_packet());
  const ExecutionResult result = harness.interpreter->run_xdp_repeated(frame, 10);
  EXPECT_TRUE(result.aborted);
  EXPECT_THAT(result.diagnostic, HasSubstr("insn 6"));
  EXPECT_EQ(frame.packet()[0], 3);  // no run after the third
  EXPECT_EQ(harness.runtime->invocation_index(), 3u);
}

TEST(InterpXdp, RepeatedRunsMoveThePacketEveryRun) {
  // Pushes 4 bytes in front of the packet and returns the helper's result.
  Harness harness(make_single_program_object(
      code({mov64_imm(2, -4), call_helper(kHelperXdpAdjustHead), exit_insn()}), ProgramType::Xdp));
  XdpFrame frame(ipv4_packet());
  EXPECT_EQ(harness.interpreter->run_xdp_repeated(frame, 3).return_value, 0u);
  EXPECT_EQ(frame.length(), 60u + 3 * 4);
  // The headroom above the xdp_frame header (256 - 40 bytes) takes 54 pushes; then the helper
  // fails and the packet stays.
  EXPECT_NE(harness.interpreter->run_xdp_repeated(frame, 100).return_value, 0u);
  EXPECT_EQ(frame.headroom(), kXdpFrameHeaderSize);
  EXPECT_EQ(frame.length(), 60u + 54 * 4);
}

}  // namespace
}  // namespace nicsim::ebpf::test
