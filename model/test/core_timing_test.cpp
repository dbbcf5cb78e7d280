// Cycle-exact behaviour of the core on hand-written images. Every expected cycle number is
// derived by hand from the rules of docs/nic-isa.md sections 6-8 (default configuration:
// B = 32 bytes per cycle, so a 64-byte packet is written in cycles 0-1 and its context starts
// at cycle 2), not taken from the model's output.

#include <gtest/gtest.h>

#include "model/engine/model_engine.h"
#include "model/test/test_support.h"

namespace nicsim::model {
namespace {

using test::AsmImageOptions;
using test::EmptyWorld;
using test::image_from_asm;

std::vector<uint8_t> packet(size_t n = 64) {
  std::vector<uint8_t> p(n);
  for (size_t i = 0; i < n; ++i)
    p[i] = static_cast<uint8_t>(i);
  return p;
}

void expect_accounting(const PacketStats& s) {
  EXPECT_EQ(s.cycles(), s.bundles + s.stall_cycles());
}

struct RunResult {
  ebpf::ExecutionResult result;
  PacketStats stats;
};

RunResult run_one(std::string_view text, const AsmImageOptions& options = {},
                  ModelConfig config = {}, size_t length = 64, ebpf::Runtime* runtime = nullptr) {
  EmptyWorld world;
  ModelEngine engine(image_from_asm(text, options), runtime ? *runtime : *world.runtime, config);
  auto memory = packet(length);
  RunResult run;
  run.result = engine.run_raw(memory);
  run.stats = engine.last_outcome().stats;
  expect_accounting(run.stats);
  return run;
}

TEST(CoreTiming, SingleExitBundle) {
  const RunResult run = run_one("exit 1");
  EXPECT_FALSE(run.result.aborted);
  EXPECT_EQ(run.result.return_value, 1u);
  EXPECT_EQ(run.stats.dispatch_cycle, 0u);
  EXPECT_EQ(run.stats.start_cycle, 2u);
  EXPECT_EQ(run.stats.exit_cycle, 3u);  // fetched at 2, issued at 3
  EXPECT_EQ(run.stats.cycles(), 2u);
  EXPECT_EQ(run.stats.latency(), 4u);
  EXPECT_EQ(run.stats.bundles, 1u);
  EXPECT_EQ(run.stats.stall(StallCause::Fetch), 1u);
  EXPECT_EQ(run.stats.release_cycle, 4u);  // XDP_DROP: free the cycle after the exit
}

TEST(CoreTiming, FullBypassBetweenDependentBundles) {
  const RunResult run = run_one(R"(
    mov r0, 1
    add r0, r0, 2
    add r0, r0, 3
    exit r0
  )");
  EXPECT_EQ(run.result.return_value, 6u);
  EXPECT_EQ(run.stats.exit_cycle, 6u);  // issues at 3, 4, 5, 6
  EXPECT_EQ(run.stats.bundles, 4u);
  EXPECT_EQ(run.stats.stall(StallCause::Fetch), 1u);
  EXPECT_EQ(run.stats.stall(StallCause::Data), 0u);
}

TEST(CoreTiming, LoadUseCostsOneCycle) {
  const RunResult run = run_one(R"(
    ld1 r0, [r1+5]
    add r0, r0, 1
    exit r0
  )");
  EXPECT_EQ(run.result.return_value, 6u);
  EXPECT_EQ(run.stats.exit_cycle, 6u);  // load at 3, its user at 5, exit at 6
  EXPECT_EQ(run.stats.stall(StallCause::Data), 1u);
}

TEST(CoreTiming, BranchCostsOneCycleOfItsContext) {
  const RunResult run = run_one(R"(
       jeq r2, 64, @t
       exit 0
    t: exit 7
  )");
  EXPECT_EQ(run.result.return_value, 7u);
  EXPECT_EQ(run.stats.exit_cycle, 5u);  // branch at 3, target fetched at 4, issued at 5
  EXPECT_EQ(run.stats.stall(StallCause::Branch), 1u);
  const RunResult not_taken = run_one(R"(
       jeq r2, 65, @t
       exit 0
    t: exit 7
  )");
  EXPECT_EQ(not_taken.result.return_value, 0u);
  EXPECT_EQ(not_taken.stats.exit_cycle, 5u);  // no speculation: the same cost
}

TEST(CoreTiming, MultiwayBranchPriorityIsLaneOrder) {
  const RunResult run = run_one(R"(
       { jeq r2, 64, @a ; jeq r2, 64, @b ; exit 3 }
    a: exit 1
    b: exit 2
  )");
  EXPECT_EQ(run.result.return_value, 1u);
  const RunResult fallback =
      run_one("{ jeq r2, 1, @a ; jeq r2, 2, @b ; exit 3 }\na: exit 1\nb: exit 2");
  EXPECT_EQ(fallback.result.return_value, 3u);
  // r1 = data, r3 = data + 64 = end: a bounds check whose failure exits through a vector
  const RunResult vector = run_one("add r3, r1, r2\n{ jgt r1+64, r3, @exit4 ; exit 3 }");
  EXPECT_EQ(vector.result.return_value, 3u);
  const RunResult vector_taken = run_one("add r3, r1, r2\n{ jgt r1+65, r3, @exit4 ; exit 3 }");
  EXPECT_EQ(vector_taken.result.return_value, 4u);
}

TEST(CoreTiming, BundleReadsBeforeItWrites) {
  const RunResult run = run_one(R"(
    mov r3, 5
    { mov r3, 9 ; add r4, r3, 0 }
    exit r4
  )");
  EXPECT_EQ(run.result.return_value, 5u);
}

// Two packets back to back on two contexts: one fetch port and one issue slot per cycle,
// both round-robin. Hand-derived schedule (program of 4 bundles, the last a control bundle):
//   cycle: 2  3   4   5   6   7   8   9   10
//   issue:    0b0 0b1 1b0 0b2 1b1 0b3 1b2 1b3
//   fetch: 0b0 0b1 1b0 0b2 1b1 0b3 1b2 1b3
// The schedule does not depend on how many further contexts stay free, so it is checked with
// K = 4 (the passes the run loop inlines) and K = 2 (the passes for any K, out of line; there
// the round robin wraps from context 1 straight back to 0).
void expect_two_contexts_share_fetch_and_issue(uint32_t contexts) {
  EmptyWorld world;
  ModelConfig config;
  config.contexts = contexts;
  ModelEngine engine(image_from_asm("mov r0, 1\nadd r0, r0, 2\nadd r0, r0, 3\nexit r0"),
                     *world.runtime, config);
  auto p0 = packet(), p1 = packet();
  ebpf::XdpFrame f0(p0), f1(p1);
  ebpf::XdpFrame* frames[] = {&f0, &f1};
  const auto outcomes = engine.run_batch(frames);
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].stats.context, 0u);
  EXPECT_EQ(outcomes[1].stats.context, 1u);
  EXPECT_EQ(outcomes[0].stats.start_cycle, 2u);
  EXPECT_EQ(outcomes[1].stats.dispatch_cycle, 2u);
  EXPECT_EQ(outcomes[1].stats.start_cycle, 4u);
  EXPECT_EQ(outcomes[0].stats.exit_cycle, 8u);
  EXPECT_EQ(outcomes[1].stats.exit_cycle, 10u);
  EXPECT_EQ(outcomes[0].stats.stall(StallCause::Fetch), 3u);
  EXPECT_EQ(outcomes[1].stats.stall(StallCause::Fetch), 3u);
  for (const auto& o : outcomes) {
    EXPECT_EQ(o.result.return_value, 6u);
    expect_accounting(o.stats);
  }
}

TEST(CoreTiming, TwoContextsShareFetchAndIssue) {
  expect_two_contexts_share_fetch_and_issue(4);
}

TEST(CoreTiming, TwoContextsShareFetchAndIssueWhenTheyAreAllTheCoreHas) {
  expect_two_contexts_share_fetch_and_issue(2);
}

TEST(CoreTiming, FirmwareRoutineCallAndReturn) {
  EmptyWorld world;
  world.runtime->set_now_ns(12345);
  AsmImageOptions options;
  options.routines = {{5, "ktime"}};
  options.routines_start = "ktime";
  const RunResult run = run_one(R"(
           callf @ktime
           exit r0
    ktime: { movs r0, time_ns ; ret }
  )",
                                options, {}, 64, world.runtime.get());
  EXPECT_EQ(run.result.return_value, 12345u);
  // callf at 3, routine fetched 4 issued 5, return bundle fetched 6 issued 7
  EXPECT_EQ(run.stats.exit_cycle, 7u);
  EXPECT_EQ(run.stats.bundles, 3u);
  EXPECT_EQ(run.stats.stall(StallCause::Branch), 2u);
}

TEST(CoreTiming, DividerIsNotPipelined) {
  ModelConfig config;
  const RunResult run = run_one(R"(
    mov r3, 7
    div r0, r2, r3
    div r4, r2, r3
    exit r0
  )",
                                {}, config);
  EXPECT_EQ(run.result.return_value, 9u);
  // mov 3, div 4 (busy until 4 + 33), second div 37, exit needs r0 (ready at 37) -> 38
  EXPECT_EQ(run.stats.exit_cycle, 38u);
  EXPECT_EQ(run.stats.stall(StallCause::Unit), 32u);
}

TEST(CoreBehaviour, StackStartsZeroedAndFramePointer) {
  EXPECT_EQ(run_one("ld8 r0, [r10-8]\nexit r0").result.return_value, 0u);
  EXPECT_EQ(run_one("mov r0, r10\nexit r0").result.return_value, 0x20000200u);
  EXPECT_EQ(run_one("st4 [r10-4], -1\nlds2 r0, [r10-3]\nexit r0").result.return_value,
            0xffffffffffffffffull);
}

// The start of a packet clears only the stack bytes written since the last clear (the lowest
// written address is tracked): what one packet leaves anywhere on the stack, the next packet on
// the same context must not see.
TEST(CoreBehaviour, StackIsZeroAgainForEveryPacket) {
  EmptyWorld world;
  ModelConfig config;
  config.contexts = 1;  // every packet on the same context
  ModelEngine engine(image_from_asm(R"(
    ld8 r0, [r10-8]
    ld8 r3, [r10-512]
    ld1 r4, [r10-300]
    or r0, r0, r3
    or r0, r0, r4
    mov r5, r10
    st8 [r10-512], -1
    { st8 [r10-8], -1 ; st1 [r5-300], 7 }
    exit r0
  )"),
                     *world.runtime, config);
  for (int run = 0; run < 3; ++run) {
    auto memory = packet();
    const ebpf::ExecutionResult result = engine.run_raw(memory);
    EXPECT_FALSE(result.aborted) << result.diagnostic;
    EXPECT_EQ(result.return_value, 0u) << "packet " << run;
  }
}

TEST(CoreBehaviour, BoundsFaultEndsThePacketAsAborted) {
  EXPECT_EQ(run_one("ld1 r0, [r1+63]\nexit r0").result.return_value, 63u);
  const RunResult fault = run_one("mov r0, 5\nld1 r3, [r1+64]\nexit r3");
  EXPECT_TRUE(fault.result.aborted);
  EXPECT_EQ(fault.result.return_value, 5u);
  EXPECT_EQ(fault.stats.exit_cycle, 4u);
  EXPECT_NE(fault.result.diagnostic.find("bounds fault: 1-byte load at 0x10000140 (packet region)"),
            std::string::npos)
      << fault.result.diagnostic;
  EXPECT_TRUE(run_one("st8 [r10-4], 1\nexit 0").result.aborted);  // crosses the frame pointer
  EXPECT_TRUE(run_one("mov r3, 0\nld1 r0, [r3+0]\nexit r0").result.aborted);  // null
  // the faulting bundle has no effect, not even in its other lanes
  const RunResult partial = run_one("mov r0, 1\n{ mov r0, 2 ; ld1 r3, [r1+100] }\nexit r0");
  EXPECT_TRUE(partial.result.aborted);
  EXPECT_EQ(partial.result.return_value, 1u);
}

TEST(CoreBehaviour, CycleBudget) {
  ModelConfig config;
  config.max_cycles_per_packet = 100;
  const RunResult run = run_one("l: ja @l", {}, config);
  EXPECT_TRUE(run.result.aborted);
  EXPECT_NE(run.result.diagnostic.find("cycle budget"), std::string::npos);
  EXPECT_EQ(run.stats.cycles(), 100u);
}

TEST(CoreBehaviour, AtomicsOnPacketMemory) {
  const RunResult run = run_one(R"(
    mov r3, 10
    lock.fadd r4, [r1+8], r3
    ld8 r5, [r1+8]
    sub r0, r5, r4
    exit r0
  )");
  EXPECT_EQ(run.result.return_value, 10u);
  const RunResult cmpxchg = run_one(R"(
    ld4 r0, [r1+0]
    mov r3, 99
    cmpxchg.32 r0, [r1+0], r3
    ld4 r0, [r1+0]
    exit r0
  )");
  EXPECT_EQ(cmpxchg.result.return_value, 99u);
}

TEST(CoreBehaviour, PacketPointerRegisters) {
  // r11 = data, r12 = data_end: a raw run's r1 is data and r2 the length.
  EXPECT_EQ(run_one("sub r0, r11, r1\nexit r0").result.return_value, 0u);
  EXPECT_EQ(run_one("sub r0, r12, r11\nexit r0").result.return_value, 64u);
  EXPECT_EQ(run_one("ld1 r0, [r11+7]\nexit r0").result.return_value, 7u);
  EXPECT_EQ(run_one("mov r0, r13\nsub r0, r0, r11\nexit r0").result.return_value, 0u);
}

TEST(CoreBehaviour, PacketAdjustMovesThePointerRegisters) {
  AsmImageOptions options;
  options.units = {44};
  const RunResult run = run_one(R"(
    mov r6, r11
    mov r1, 0x30000000
    mov r2, -8
    hcall xdp_adjust_head
    sub r0, r6, r11
    exit r0
  )",
                                options);
  EXPECT_FALSE(run.result.aborted) << run.result.diagnostic;
  EXPECT_EQ(run.result.return_value, 8u);  // the data pointer moved 8 bytes down
}

TEST(CoreBehaviour, NonFaultingLoads) {
  EXPECT_EQ(run_one("ldnf4 r0, [r11+60]\nexit r0").result.return_value, 0x3f3e3d3cu);
  const RunResult outside = run_one("mov r0, 9\nldnf4 r0, [r11+62]\nexit r0");
  EXPECT_FALSE(outside.result.aborted);
  EXPECT_EQ(outside.result.return_value, 0u);  // would fault: reads as 0
  EXPECT_TRUE(run_one("ld4 r0, [r11+62]\nexit r0").result.aborted);
  EXPECT_EQ(run_one("mov r3, 0\nldnf8 r0, [r3+0]\nexit r0").result.return_value, 0u);
}

}  // namespace
}  // namespace nicsim::model
