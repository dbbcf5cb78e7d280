#include "testbench/session/nic_session.h"

#include <gtest/gtest.h>

#include "ebpf/asm/assembler.h"
#include "ebpf/interp/interpreter.h"
#include "ebpf/util/error.h"
#include "jit/nic/compiler.h"
#include "model/engine/model_engine.h"

namespace nicsim::testbench {
namespace {

using ebpf::XdpAction;

traffic::Packet packet_of(uint8_t first, size_t length = 64) {
  traffic::Packet packet;
  packet.bytes.assign(length, 0x11);
  packet.bytes[0] = first;
  return packet;
}

// A stand-in NIC whose k-th packet of a batch exits at cycle 100 + 7k after running 5 cycles,
// and returns the packet's first byte as the action: the arithmetic of the statistics is then
// known without a model.
std::vector<model::PacketOutcome> fixed_timing_nic(std::span<ebpf::XdpFrame* const> frames) {
  std::vector<model::PacketOutcome> outcomes;
  for (size_t k = 0; k < frames.size(); ++k) {
    model::PacketOutcome outcome;
    outcome.result.return_value = frames[k]->data()[0];
    outcome.result.instructions = 3;
    outcome.stats.dispatch_cycle = 100 + 7 * k - 6;
    outcome.stats.start_cycle = 100 + 7 * k - 4;
    outcome.stats.exit_cycle = 100 + 7 * k;
    outcome.stats.bundles = 2;
    outcome.stats.stalls[0] = 3;
    outcomes.push_back(outcome);
  }
  return outcomes;
}

ebpf::ElfObject empty_xdp_object() {
  return ebpf::make_single_program_object(ebpf::assemble("r0 = 2\nexit"), ebpf::ProgramType::Xdp);
}

TEST(NicSession, ThroughputIsMeasuredWithinBatches) {
  auto object = empty_xdp_object();
  ebpf::Runtime runtime(object);
  std::vector<traffic::Packet> packets(10, packet_of(2));
  // Batches of 4, 4 and 2: intervals 3 + 3 + 1, each 7 cycles apart.
  const NicRunStats stats = run_nic_traffic(fixed_timing_nic, runtime, packets, {}, 4);
  EXPECT_EQ(stats.throughput_intervals, 7u);
  EXPECT_EQ(stats.throughput_cycles, 7u * 7);
  EXPECT_DOUBLE_EQ(stats.cycles_per_packet(), 7.0);
  EXPECT_DOUBLE_EQ(stats.mpps(70e6), 10.0);
  EXPECT_DOUBLE_EQ(stats.ipc(), 3.0 / 7.0);
  EXPECT_EQ(stats.run_cycles, 10u * 5);
  EXPECT_EQ(stats.latency_cycles, 10u * 7);
  EXPECT_EQ(stats.bundles, 10u * 2);
  EXPECT_EQ(stats.stalls[0], 10u * 3);
}

TEST(NicSession, AccountsForEveryPacketInOrder) {
  auto object = empty_xdp_object();
  ebpf::Runtime runtime(object);
  const uint8_t fates[] = {1, 2, 3, 4, 0, 9, 2};
  std::vector<traffic::Packet> packets;
  for (uint8_t fate : fates)
    packets.push_back(packet_of(fate));
  std::vector<uint64_t> order;
  const NicRunStats stats = run_nic_traffic(
      fixed_timing_nic, runtime, packets,
      [&](uint64_t index, const traffic::Packet& in, const model::PacketOutcome&,
          const PacketResult& result) {
        order.push_back(index);
        EXPECT_EQ(in.bytes[0], fates[index]);
        if (result.action == XdpAction::Pass || result.action == XdpAction::Tx ||
            result.action == XdpAction::Redirect)
          EXPECT_EQ(result.output.bytes, in.bytes);
        else
          EXPECT_TRUE(result.output.bytes.empty());
      },
      3);
  EXPECT_EQ(order, (std::vector<uint64_t>{0, 1, 2, 3, 4, 5, 6}));
  EXPECT_TRUE(stats.packets.balanced());
  EXPECT_EQ(stats.packets.count(XdpAction::Drop), 1u);
  EXPECT_EQ(stats.packets.count(XdpAction::Pass), 2u);
  EXPECT_EQ(stats.packets.count(XdpAction::Tx), 1u);
  EXPECT_EQ(stats.packets.count(XdpAction::Redirect), 1u);
  EXPECT_EQ(stats.packets.count(XdpAction::Aborted), 2u);  // 0, and 9 (not an action)
  EXPECT_EQ(stats.packets.unknown_return_values, 1u);
}

TEST(NicSession, AnEngineThatLosesPacketsIsAnError) {
  auto object = empty_xdp_object();
  ebpf::Runtime runtime(object);
  std::vector<traffic::Packet> packets(3, packet_of(2));
  auto lossy = [](std::span<ebpf::XdpFrame* const> frames) {
    auto outcomes = fixed_timing_nic(frames);
    outcomes.pop_back();
    return outcomes;
  };
  EXPECT_THROW(run_nic_traffic(lossy, runtime, packets), Error);
}

// The real model against the interpreter on a program that rewrites and reflects packets.
TEST(NicSession, ModelMatchesTheInterpreter) {
  const auto insns = ebpf::assemble(R"(
    r2 = *(u32 *)(r1 + 0)
    r3 = *(u32 *)(r1 + 4)
    r4 = r2
    r4 += 2
    if r4 > r3 goto +5
    r5 = *(u8 *)(r2 + 0)
    r5 ^= 0xff
    *(u8 *)(r2 + 1) = r5
    r0 = 3
    exit
    r0 = 1
    exit
  )");
  auto object = ebpf::make_single_program_object(insns, ebpf::ProgramType::Xdp);
  std::vector<traffic::Packet> packets;
  for (int i = 0; i < 40; ++i)
    packets.push_back(packet_of(static_cast<uint8_t>(i * 13), i == 7 ? 1 : 64));

  ebpf::Runtime interp_runtime(object);
  ebpf::Interpreter interp(object.programs[0], interp_runtime);
  XdpSession session(interp, interp_runtime);
  std::vector<PacketResult> expected;
  for (const auto& packet : packets)
    expected.push_back(session.process(packet));

  ebpf::Runtime runtime(object);
  model::ModelEngine engine(jit::nic::compile(object.programs[0], object).image, runtime);
  const NicRunStats stats = run_nic_traffic(
      [&](std::span<ebpf::XdpFrame* const> frames) { return engine.run_batch(frames); }, runtime,
      packets,
      [&](uint64_t index, const traffic::Packet&, const model::PacketOutcome& outcome,
          const PacketResult& result) {
        EXPECT_EQ(result.action, expected[index].action) << "packet " << index;
        EXPECT_EQ(result.output.bytes, expected[index].output.bytes) << "packet " << index;
        EXPECT_GT(outcome.stats.bundles, 0u);
      });
  EXPECT_EQ(stats.packets.count(XdpAction::Tx), 39u);
  EXPECT_EQ(stats.packets.count(XdpAction::Drop), 1u);  // the 1-byte packet
  EXPECT_GT(stats.cycles_per_packet(), 0.0);
}

}  // namespace
}  // namespace nicsim::testbench
