// The Verilated core's datapath on hand-written images: each expected value is computed by
// hand from docs/nic-isa.md section 4 (the eBPF rules for division by zero, INT_MIN / -1,
// sign extension, byte swaps, exit vectors), not read from the model.

#include "testbench/rtl_engine/rtl_core.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "testbench/rtl_engine/rtl_shape.h"
#include "testbench/rtl_engine/test/rtl_test_support.h"

namespace nicsim::rtl {
namespace {

using test::run_rtl;

uint64_t result_of(const std::string& text) {
  const auto run = run_rtl(text);
  EXPECT_FALSE(run.result.aborted) << run.result.diagnostic;
  return run.result.return_value;
}

TEST(RtlDatapath, ExitImmediateIsSignExtended) {
  EXPECT_EQ(result_of("exit 2"), 2u);
  EXPECT_EQ(result_of("exit -1"), UINT64_MAX);
}

TEST(RtlDatapath, ThreeOperandAluAcrossLanes) {
  EXPECT_EQ(result_of("{ mov r3, 5 ; mov r4, 7 }\nadd r0, r3, r4\nexit r0"), 12u);
  EXPECT_EQ(result_of("mov r3, 5\nrsub r0, r3, 0\nexit r0"), uint64_t(-5));
  EXPECT_EQ(result_of("mov r3, -16\narsh r0, r3, 2\nexit r0"), uint64_t(-4));
  EXPECT_EQ(result_of("mov r3, -16\nrsh.32 r0, r3, 2\nexit r0"), 0x3ffffffcu);
  EXPECT_EQ(result_of("mov r3, 1\nlsh r0, r3, 63\nexit r0"), 1ull << 63);
  EXPECT_EQ(result_of("mov r3, 1\nlsh r0, r3, 65\nexit r0"), 2u);  // shift masked with 63
}

TEST(RtlDatapath, AllLanesReadBeforeAnyWrites) {
  // Both slots read the old r3 and r4: a swap in one bundle.
  EXPECT_EQ(result_of("{ mov r3, 1 ; mov r4, 2 }\n{ mov r3, r4 ; mov r4, r3 }\n"
                      "lsh r0, r3, 4\nor r0, r0, r4\nexit r0"),
            0x21u);
}

TEST(RtlDatapath, PoolOperandAndExt) {
  EXPECT_EQ(result_of("mov r0, =0x1122334455667788\nexit r0"), 0x1122334455667788ull);
  EXPECT_EQ(result_of("mov r3, =0x1122334455667788\nbswap64 r0, r3\nexit r0"),
            0x8877665544332211ull);
  EXPECT_EQ(result_of("mov r3, =0x1122334455667788\nbswap16 r0, r3\nexit r0"), 0x8877u);
  EXPECT_EQ(result_of("mov r3, 0x80\nsext8 r0, r3\nexit r0"), 0xffffffffffffff80ull);
  EXPECT_EQ(result_of("mov r3, 0x8000\nsext16.32 r0, r3\nexit r0"), 0xffff8000u);
}

TEST(RtlDatapath, Multiplier) {
  EXPECT_EQ(result_of("mov r3, =0x100000001\nmul r0, r3, r3\nexit r0"), 0x200000001ull);
  EXPECT_EQ(result_of("mov r3, =0x100000003\nmul.32 r0, r3, 5\nexit r0"), 15u);
}

TEST(RtlDatapath, DividerFollowsTheEbpfRules) {
  EXPECT_EQ(result_of("mov r3, 100\ndiv r0, r3, 7\nexit r0"), 14u);
  EXPECT_EQ(result_of("mov r3, 100\nmod r0, r3, 7\nexit r0"), 2u);
  EXPECT_EQ(result_of("mov r3, -7\nsdiv r0, r3, 2\nexit r0"), uint64_t(-3));
  EXPECT_EQ(result_of("mov r3, -7\nsmod r0, r3, 2\nexit r0"), uint64_t(-1));
  EXPECT_EQ(result_of("mov r3, 7\nsmod r0, r3, -2\nexit r0"), 1u);
  EXPECT_EQ(result_of("mov r3, 100\nmov r4, 0\ndiv r0, r3, r4\nexit r0"), 0u);
  EXPECT_EQ(result_of("mov r3, 100\nmov r4, 0\nmod r0, r3, r4\nexit r0"), 100u);
  EXPECT_EQ(result_of("mov r3, =0x8000000000000000\nsdiv r0, r3, -1\nexit r0"),
            0x8000000000000000ull);
  EXPECT_EQ(result_of("mov r3, =0x8000000000000000\nsmod r0, r3, -1\nexit r0"), 0u);
  EXPECT_EQ(result_of("mov r3, -1\ndiv r0, r3, 3\nexit r0"), 0x5555555555555555ull);
  // 32-bit: operands are the low halves, the result is zero-extended.
  EXPECT_EQ(result_of("mov r3, =0x1000000064\ndiv.32 r0, r3, 7\nexit r0"), 14u);
  EXPECT_EQ(result_of("mov r3, -7\nsdiv.32 r0, r3, 2\nexit r0"), 0xfffffffdu);
  EXPECT_EQ(result_of("mov r3, -7\nsmod.32 r0, r3, 2\nexit r0"), 0xffffffffu);
  EXPECT_EQ(result_of("mov r3, =0x80000000\nmov r4, 0\nmod.32 r0, r3, r4\nexit r0"), 0x80000000u);
}

TEST(RtlDatapath, BranchesAndExitVectors) {
  EXPECT_EQ(result_of("mov r3, 5\njeq r3, 5, @yes\nexit 1\nyes: exit 2"), 2u);
  EXPECT_EQ(result_of("mov r3, 5\njeq r3, 6, @yes\nexit 1\nyes: exit 2"), 1u);
  EXPECT_EQ(result_of("mov r3, -1\njsgt r3, 0, @yes\nexit 1\nyes: exit 2"), 1u);
  EXPECT_EQ(result_of("mov r3, -1\njgt r3, 0, @yes\nexit 1\nyes: exit 2"), 2u);
  EXPECT_EQ(result_of("mov r3, =0x100000000\njeq.32 r3, 0, @yes\nexit 1\nyes: exit 2"), 2u);
  EXPECT_EQ(result_of("mov r3, 6\njset r3, 4, @exit3\nexit 1"), 3u);
  // Fused add-and-compare: (r3 + 10) > r4.
  EXPECT_EQ(result_of("{ mov r3, 1 ; mov r4, 10 }\njgt r3+10, r4, @exit4\nexit 1"), 4u);
  // The first control operation that fires wins, in lane order.
  EXPECT_EQ(result_of("mov r3, 1\n{ jeq r3, 1, @exit2 ; exit 3 }"), 2u);
  EXPECT_EQ(result_of("mov r3, 1\n{ jeq r3, 0, @exit2 ; exit 3 }"), 3u);
}

TEST(RtlDatapath, StackStoresLoadsAndAtomics) {
  EXPECT_EQ(result_of("st8 [r10-8], -2\nld8 r0, [r10-8]\nexit r0"), uint64_t(-2));
  EXPECT_EQ(result_of("st2 [r10-8], 0x1234\nld1 r0, [r10-7]\nexit r0"), 0x12u);
  EXPECT_EQ(result_of("st1 [r10-8], 0x80\nlds1 r0, [r10-8]\nexit r0"), 0xffffffffffffff80ull);
  // The stack reads as zero at packet start.
  EXPECT_EQ(result_of("ld8 r0, [r10-512]\nexit r0"), 0u);
  EXPECT_EQ(result_of("st8 [r10-8], 40\nmov r3, 2\nlock.add [r10-8], r3\nld8 r0, [r10-8]\n"
                      "exit r0"),
            42u);
  EXPECT_EQ(result_of("st8 [r10-8], 40\nmov r3, 2\nlock.fadd r0, [r10-8], r3\nexit r0"), 40u);
  EXPECT_EQ(result_of("st8 [r10-8], 7\n{ mov r0, 7 ; mov r3, 9 }\ncmpxchg r0, [r10-8], r3\n"
                      "ld8 r0, [r10-8]\nexit r0"),
            9u);
  EXPECT_EQ(result_of("st8 [r10-8], 7\n{ mov r4, 5 ; mov r3, 9 }\nxchg r4, [r10-8], r3\n"
                      "ld8 r0, [r10-8]\nadd r0, r0, r4\nexit r0"),
            9u + 7u);  // memory now 9, r4 the old 7
}

TEST(RtlDatapath, RawContractAndPacketAccess) {
  // r1 = packet data, r2 = its length; the numbered packet holds byte i at offset i.
  EXPECT_EQ(result_of("exit r2"), 64u);
  EXPECT_EQ(result_of("ld2 r0, [r1+10]\nexit r0"), 0x0b0au);
  EXPECT_EQ(result_of("mov r3, 4\nld1 r0, [r1+r3+3]\nexit r0"), 7u);
  EXPECT_EQ(result_of("st1 [r1+0], 0x55\nld1 r0, [r1+0]\nexit r0"), 0x55u);
}

TEST(RtlDatapath, BoundsFaultsAbortWithoutEffect) {
  const auto past_end = run_rtl("ld1 r0, [r1+64]\nexit 0");
  EXPECT_TRUE(past_end.result.aborted);
  const auto null = run_rtl("mov r3, 0\nld1 r0, [r3+0]\nexit 0");
  EXPECT_TRUE(null.result.aborted);
  const auto stack = run_rtl("ld8 r0, [r10-4]\nexit 0");
  EXPECT_TRUE(stack.result.aborted);
  // The faulting bundle writes nothing: r0 keeps the value of the bundle before.
  const auto kept = run_rtl("mov r0, 9\n{ mov r0, 3 ; ld1 r4, [r1+100] }\nexit 0");
  EXPECT_TRUE(kept.result.aborted);
  EXPECT_EQ(kept.result.return_value, 9u);
  EXPECT_EQ(kept.stats.bundles, 2u);
  const auto fine = run_rtl("ld1 r0, [r1+63]\nexit r0");
  EXPECT_FALSE(fine.result.aborted);
  EXPECT_EQ(fine.result.return_value, 63u);
}

TEST(RtlDatapath, SpecialRegisters) {
  EXPECT_EQ(result_of("movs r0, pkt_len\nexit r0"), 64u);
  EXPECT_EQ(result_of("movs r0, pkt_data\nexit r0"), 0x10000100u);
  EXPECT_EQ(result_of("movs r0, context_id\nexit r0"), 0u);
  // A raw run's 64-byte packet has no metadata: pkt_meta is pkt_data, pkt_end 64 bytes on.
  EXPECT_EQ(result_of("movs r0, pkt_end\nexit r0"), 0x10000140u);
  EXPECT_EQ(result_of("movs r0, pkt_meta\nexit r0"), 0x10000100u);
  EXPECT_EQ(result_of("mov r0, 7\nmovs r0, egress_ifindex\nexit r0"), 0u);
  // One context alone issues a bundle every cycle (it fetches the next one in the cycle its
  // buffered one issues, section 6): two consecutive reads of the cycle counter differ by one.
  EXPECT_EQ(result_of("movs r3, cycle\nmovs r4, cycle\nsub r0, r4, r3\nexit r0"), 1u);
}

TEST(RtlDatapath, CallfAndRet) {
  test::EmptyWorld world;
  RtlEngine engine(test::asm_image("callf @f\nadd r0, r0, 1\nexit r0\nf: { mov r0, 41 ; ret }", 4,
                                   firmware::EntryKind::Raw, {}, {{5, "f"}}),
                   *world.runtime);
  auto memory = test::numbered_packet();
  EXPECT_EQ(engine.run_raw(memory).return_value, 42u);
}

// nic_core offers a register write to a context that starts a packet at the same edge (the
// register file gives the start precedence); RtlCore::register_write reports it as no write.
// The product of `mul` lands through lane 0's writeback pipeline one cycle after its issue.
TEST(RtlCorePorts, AStartingContextTakesNoRegisterWrite) {
  const auto image = test::asm_image("mov r3, 5\nmul r4, r3, r3\nexit r4");
  constexpr uint32_t kWbPort = kRtlPortWriteback;  // lane 0
  StartInputs start;
  start.pkt_data = 0x10000100;
  start.pkt_end = 0x10000140;
  start.pkt_meta = start.pkt_data;
  // Runs context 0 from cycle 1 and returns the product's write as seen in the cycle it lands,
  // with `restart` (a context to start at that edge, or none) given in that cycle.
  const auto landing = [&](std::optional<uint32_t> restart) {
    RtlCore core(0, image);
    core.set_cycle_inputs(&start, 0, false);
    core.clock_edge();
    for (int cycle = 1; cycle < 20; ++cycle) {
      core.set_cycle_inputs(nullptr, 0, false);
      core.settle();
      if (core.register_write(kWbPort).valid) {
        if (restart) {
          StartInputs again = start;
          again.context = *restart;
          core.set_cycle_inputs(&again, 0, false);
          core.settle();
        }
        return core.register_write(kWbPort);
      }
      core.clock_edge();
    }
    ADD_FAILURE() << "the product never landed";
    return RegisterWritePort{};
  };
  const RegisterWritePort plain = landing(std::nullopt);
  EXPECT_TRUE(plain.valid);
  EXPECT_EQ(plain.context, 0u);
  EXPECT_EQ(plain.reg, 4u);
  EXPECT_EQ(plain.value, 25u);
  EXPECT_FALSE(landing(0).valid);
  const RegisterWritePort other = landing(1);
  EXPECT_TRUE(other.valid);
  EXPECT_EQ(other.value, 25u);
}

// nic_core offers the issuing bundle's register writes whether or not it commits (the register
// file applies the commit in its clocked block); RtlCore::register_write reports the write of a
// bundle that faults in its issue cycle as no write. Lane 0's `mov` writes r0 at issue (port 0):
// 9 in the first bundle; nothing in the second, whose load lies past the packet's end.
TEST(RtlCorePorts, AFaultingBundleWritesNoRegister) {
  const auto image = test::asm_image("mov r0, 9\n{ mov r0, 3 ; ld1 r4, [r1+100] }\nexit 0");
  constexpr uint32_t kLane0Now = 0;
  StartInputs start;
  start.pkt_data = 0x10000100;
  start.pkt_end = 0x10000140;
  start.pkt_meta = start.pkt_data;
  RtlCore core(0, image);
  core.set_cycle_inputs(&start, 0, false);
  core.clock_edge();
  // The port-0 write seen before the edge at which each bundle retires, in retire order.
  std::vector<RegisterWritePort> writes;
  std::vector<RetiredBundle> bundles;
  for (int cycle = 1; cycle < 20 && bundles.size() < 2; ++cycle) {
    core.set_cycle_inputs(nullptr, 0, false);
    core.settle();
    const RegisterWritePort write = core.register_write(kLane0Now);
    core.clock_edge();
    if (core.retired().valid) {
      writes.push_back(write);
      bundles.push_back(core.retired());
    }
  }
  ASSERT_EQ(bundles.size(), 2u);
  EXPECT_TRUE(bundles[0].commit);
  ASSERT_TRUE(writes[0].valid);
  EXPECT_EQ(writes[0].reg, 0u);
  EXPECT_EQ(writes[0].value, 9u);
  EXPECT_TRUE(bundles[1].fault);
  EXPECT_FALSE(bundles[1].commit);
  EXPECT_FALSE(writes[1].valid);
  EXPECT_EQ(core.context_r0(0), 9u);
}

}  // namespace
}  // namespace nicsim::rtl
