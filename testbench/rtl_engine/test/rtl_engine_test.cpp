// Cycle-exact behaviour of the Verilated core inside its NIC system. Every expected cycle is
// derived by hand from docs/nic-isa.md sections 6-8 with the default configuration (B = 32
// bytes per cycle: a 64-byte packet is written in cycles 0-1, its context starts at 2, fetches
// its first bundle at 2 and issues it at 3).

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ebpf/util/error.h"
#include "testbench/rtl_engine/test/rtl_test_support.h"

namespace nicsim::rtl {
namespace {

using model::StallCause;
using test::asm_image;
using test::EmptyWorld;
using test::numbered_packet;
using test::run_rtl;

void expect_accounting(const model::PacketStats& s) {
  EXPECT_EQ(s.cycles(), s.bundles + s.stall_cycles());
}

TEST(RtlTiming, SingleExitBundle) {
  const auto run = run_rtl("exit 1");
  EXPECT_EQ(run.result.return_value, 1u);
  EXPECT_EQ(run.stats.dispatch_cycle, 0u);
  EXPECT_EQ(run.stats.start_cycle, 2u);
  EXPECT_EQ(run.stats.exit_cycle, 3u);
  EXPECT_EQ(run.stats.bundles, 1u);
  EXPECT_EQ(run.stats.stall(StallCause::Fetch), 1u);
  EXPECT_EQ(run.stats.release_cycle, 4u);  // XDP_DROP: free the cycle after the exit
  expect_accounting(run.stats);
}

TEST(RtlTiming, FullBypassBetweenDependentBundles) {
  const auto run = run_rtl("mov r0, 1\nadd r0, r0, 2\nadd r0, r0, 3\nexit r0");
  EXPECT_EQ(run.result.return_value, 6u);
  EXPECT_EQ(run.stats.exit_cycle, 6u);  // issues at 3, 4, 5, 6
  EXPECT_EQ(run.stats.stall(StallCause::Data), 0u);
  expect_accounting(run.stats);
}

TEST(RtlTiming, LoadUseCostsOneCycle) {
  const auto run = run_rtl("ld1 r0, [r1+5]\nadd r0, r0, 1\nexit r0");
  EXPECT_EQ(run.result.return_value, 6u);
  EXPECT_EQ(run.stats.exit_cycle, 6u);  // ld at 3, add waits for 5, exit at 6
  EXPECT_EQ(run.stats.stall(StallCause::Data), 1u);
  expect_accounting(run.stats);
}

TEST(RtlTiming, DividerLatency) {
  const auto run = run_rtl("mov r3, 100\ndiv r0, r3, 7\nexit r0");
  EXPECT_EQ(run.result.return_value, 14u);
  EXPECT_EQ(run.stats.exit_cycle, 37u);  // div at 4, r0 ready at 4 + 33
  EXPECT_EQ(run.stats.stall(StallCause::Data), 32u);
  const auto run32 = run_rtl("mov r3, 100\ndiv.32 r0, r3, 7\nexit r0");
  EXPECT_EQ(run32.stats.exit_cycle, 21u);  // 4 + 17
  expect_accounting(run32.stats);
}

TEST(RtlTiming, DividerIsNotPipelined) {
  // The second division waits for the first one's unit: div at 4 frees the divider at 37.
  const auto run = run_rtl("mov r3, 100\ndiv r4, r3, 7\ndiv r5, r3, 9\nadd r0, r4, r5\nexit r0");
  EXPECT_EQ(run.result.return_value, 14u + 11u);
  EXPECT_EQ(run.stats.exit_cycle, 37u + 33u + 1u);
  EXPECT_EQ(run.stats.stall(StallCause::Unit), 32u);
  expect_accounting(run.stats);
}

TEST(RtlTiming, ControlBundleCostsOneCycle) {
  const auto run = run_rtl("mov r3, 1\njeq r3, 1, @t\nexit 1\nt: exit 2");
  EXPECT_EQ(run.result.return_value, 2u);
  EXPECT_EQ(run.stats.exit_cycle, 6u);  // jeq at 4, target fetched at 5, issued at 6
  EXPECT_EQ(run.stats.stall(StallCause::Branch), 1u);
  const auto fallthrough = run_rtl("mov r3, 1\njeq r3, 0, @t\nexit 1\nt: exit 2");
  EXPECT_EQ(fallthrough.result.return_value, 1u);
  EXPECT_EQ(fallthrough.stats.exit_cycle, 6u);  // not taken costs the same
  expect_accounting(fallthrough.stats);
}

TEST(RtlTiming, CycleBudgetAbortsALoop) {
  EmptyWorld world;
  model::ModelConfig config;
  config.max_cycles_per_packet = 100;
  RtlEngine engine(asm_image("l: ja @l"), *world.runtime, config);
  auto memory = numbered_packet();
  const auto result = engine.run_raw(memory);
  EXPECT_TRUE(result.aborted);
  EXPECT_NE(result.diagnostic.find("cycle budget"), std::string::npos) << result.diagnostic;
  EXPECT_EQ(engine.last_outcome().stats.exit_cycle, 2u + 100u - 1u);
}

TEST(RtlSystem, BackToBackPacketsUseEveryContext) {
  EmptyWorld world;
  RtlEngine engine(asm_image("movs r0, context_id\nadd r0, r0, 10\nexit r0"), *world.runtime);
  std::vector<std::vector<uint8_t>> buffers(6, numbered_packet());
  std::vector<std::unique_ptr<ebpf::XdpFrame>> frames;
  std::vector<ebpf::XdpFrame*> pointers;
  for (auto& b : buffers) {
    frames.push_back(std::make_unique<ebpf::XdpFrame>(std::span<uint8_t>(b)));
    pointers.push_back(frames.back().get());
  }
  const auto outcomes = engine.run_batch(pointers);
  ASSERT_EQ(outcomes.size(), 6u);
  for (size_t i = 0; i < outcomes.size(); ++i) {
    EXPECT_FALSE(outcomes[i].result.aborted);
    EXPECT_EQ(outcomes[i].result.return_value, 10u + outcomes[i].stats.context);
    // The dispatcher writes a 64-byte packet in 2 cycles; the first four find a free context.
    if (i < 4) {
      EXPECT_EQ(outcomes[i].stats.dispatch_cycle, 2u * i);
      EXPECT_EQ(outcomes[i].stats.context, i);
    } else {
      EXPECT_GE(outcomes[i].stats.dispatch_cycle, outcomes[i - 1].stats.dispatch_cycle + 2);
    }
    expect_accounting(outcomes[i].stats);
  }
}

// Each packet starts on a cleared stack: the bytes the previous packet of the context stored
// (at both ends of the stack) read as 0 again, as in the model.
TEST(RtlSystem, EveryPacketStartsOnAClearedStack) {
  EmptyWorld world;
  RtlEngine engine(asm_image("ld8 r0, [r10-8]\nld8 r3, [r10-512]\nor r0, r0, r3\n"
                             "st8 [r10-8], 7\nst8 [r10-512], 9\nexit r0"),
                   *world.runtime);
  for (int i = 0; i < 3; ++i) {
    std::vector<uint8_t> buffer = numbered_packet();
    ebpf::XdpFrame frame{std::span<uint8_t>(buffer)};
    const ebpf::ExecutionResult result = engine.run_xdp(frame);
    EXPECT_FALSE(result.aborted) << result.diagnostic;
    EXPECT_EQ(result.return_value, 0u) << "packet " << i;
    EXPECT_EQ(engine.last_outcome().stats.context, 0u);  // the same context every time
  }
}

// A job's outcome is written where the caller keeps it; a job without one is refused by both
// systems before it is queued, and the systems stay idle.
TEST(RtlSystem, RefusesAJobWithoutAnOutcome) {
  EmptyWorld world;
  const firmware::Image image = asm_image("mov r0, 2\nexit r0");
  std::vector<uint8_t> buffer = numbered_packet();
  ebpf::XdpFrame frame{std::span<uint8_t>(buffer)};
  model::PacketJob job;
  job.frame = &frame;
  RtlSystem rtl(image, *world.runtime);
  EXPECT_THROW(rtl.submit(&job), Error);
  EXPECT_FALSE(rtl.busy());
  model::NicSystem model(image, *world.runtime);
  EXPECT_THROW(model.submit(&job), Error);
  EXPECT_FALSE(model.busy());
}

// Without an observer a cycle is one evaluation (the retire record is read from nic_top's
// registered copy after the edge), and the build without tracing evaluates the edge by calling
// Verilator's regions directly (rtl_edge.h); an observer adds the evaluation before the edge,
// and the traced build evaluates every edge with Verilator's own eval(). All must run the same
// cycles: stores, budget aborts and context reuse included.
TEST(RtlSystem, ObservedUnobservedAndTracedRunsAgree) {
  class CountingObserver : public RtlObserver {
   public:
    void on_retire(const RtlRetire&) override { ++retires; }
    void on_register_write(const RtlRegisterWrite&) override {}
    uint64_t retires = 0;
  };
  struct Run {
    std::vector<model::PacketOutcome> outcomes;
    std::vector<std::vector<uint8_t>> packets;
    uint64_t retires = 0;
  };
  const auto run = [](bool observed, bool traced) {
    EmptyWorld world;
    model::ModelConfig config;
    config.max_cycles_per_packet = 60;
    RtlEngine engine(asm_image("ld1 r3, [r1+0]\n"
                               "add r3, r3, 1\n"
                               "st1 [r1+1], r3\n"
                               "st8 [r10-8], r3\n"
                               "ld8 r4, [r10-8]\n"
                               "ld1 r0, [r1+1]\n"
                               "jeq r4, 4, @spin\n"
                               "exit r0\n"
                               "spin: ja @spin"),
                     *world.runtime, config, traced);
    CountingObserver observer;
    if (observed) engine.system().set_observer(&observer);
    Run result;
    for (uint8_t i = 0; i < 6; ++i)
      result.packets.push_back(std::vector<uint8_t>(64, i));
    std::vector<std::unique_ptr<ebpf::XdpFrame>> frames;
    std::vector<ebpf::XdpFrame*> pointers;
    for (auto& b : result.packets) {
      frames.push_back(std::make_unique<ebpf::XdpFrame>(std::span<uint8_t>(b)));
      pointers.push_back(frames.back().get());
    }
    result.outcomes = engine.run_batch(pointers);
    for (size_t i = 0; i < frames.size(); ++i) {
      const auto packet = frames[i]->packet();
      result.packets[i].assign(packet.begin(), packet.end());
    }
    result.retires = observer.retires;
    return result;
  };
  const Run plain = run(false, false);
  ASSERT_EQ(plain.outcomes.size(), 6u);
  uint64_t bundles = 0;
  for (size_t i = 0; i < plain.outcomes.size(); ++i) {
    // Packet i holds byte i: it stores i + 1 into the packet and the stack and returns it
    // from the packet, except packet 3, which spins into the budget.
    EXPECT_EQ(plain.outcomes[i].result.aborted, i == 3) << i;
    if (i != 3) {
      EXPECT_EQ(plain.outcomes[i].result.return_value, i + 1) << i;
      EXPECT_EQ(plain.packets[i][1], i + 1) << i;
    }
    expect_accounting(plain.outcomes[i].stats);
    bundles += plain.outcomes[i].stats.bundles;
  }
  EXPECT_EQ(plain.retires, 0u);
  for (const auto& [observed, traced] : {std::pair{true, false}, std::pair{false, true}}) {
    SCOPED_TRACE(observed ? "observed" : "traced");
    const Run other = run(observed, traced);
    ASSERT_EQ(other.outcomes.size(), plain.outcomes.size());
    for (size_t i = 0; i < plain.outcomes.size(); ++i) {
      const model::PacketOutcome& a = plain.outcomes[i];
      const model::PacketOutcome& b = other.outcomes[i];
      EXPECT_EQ(b.result.aborted, a.result.aborted) << i;
      EXPECT_EQ(b.result.return_value, a.result.return_value) << i;
      EXPECT_EQ(b.stats.start_cycle, a.stats.start_cycle) << i;
      EXPECT_EQ(b.stats.exit_cycle, a.stats.exit_cycle) << i;
      EXPECT_EQ(b.stats.release_cycle, a.stats.release_cycle) << i;
      EXPECT_EQ(b.stats.bundles, a.stats.bundles) << i;
      EXPECT_EQ(b.stats.stalls, a.stats.stalls) << i;
      EXPECT_EQ(other.packets[i], plain.packets[i]) << i;
    }
    EXPECT_EQ(other.retires, observed ? bundles : 0u);
  }
}

TEST(RtlSystem, HelperUnitRedirect) {
  EmptyWorld world;
  RtlEngine engine(asm_image("{ mov r1, 3 ; mov r2, 0 }\nhcall redirect\nexit r0", 4,
                             firmware::EntryKind::Raw, {23}),
                   *world.runtime);
  auto memory = numbered_packet();
  const auto result = engine.run_raw(memory);
  EXPECT_FALSE(result.aborted) << result.diagnostic;
  EXPECT_EQ(result.return_value, 4u);  // XDP_REDIRECT
  EXPECT_EQ(engine.last_outcome().redirect.ifindex, 3u);
  // mov at 3, hcall at 4 (latency 1), exit at 5.
  EXPECT_EQ(engine.last_outcome().stats.exit_cycle, 5u);
}

TEST(RtlSystem, RefusesImagesWiderThanTheCore) {
  EmptyWorld world;
  EXPECT_THROW(RtlEngine(asm_image("exit 1", 8), *world.runtime), Error);
  model::ModelConfig config;
  config.contexts = 2;
  EXPECT_THROW(RtlEngine(asm_image("exit 1"), *world.runtime, config), Error);
  model::ModelConfig two_cores;
  two_cores.cores = 2;
  EXPECT_THROW(RtlEngine(asm_image("exit 1"), *world.runtime, two_cores), Error);
  model::ModelConfig slow_map;
  slow_map.latency.map_load = 5;
  EXPECT_THROW(RtlEngine(asm_image("exit 1"), *world.runtime, slow_map), Error);
}

TEST(RtlSystem, NarrowImagesRunPadded) {
  EmptyWorld world;
  RtlEngine engine(asm_image("mov r0, 5\nadd r0, r0, r2\nexit r0", 1), *world.runtime);
  auto memory = numbered_packet();
  EXPECT_EQ(engine.run_raw(memory).return_value, 69u);
}

// The factory the CLI calls: the waveform (with its save file) and the pipeline trace it was
// asked for are written, and finish() closes them.
TEST(RtlEngineFactory, OpensTheRequestedWaveAndTrace) {
  const auto dir = std::filesystem::temp_directory_path() / "nicsim_rtl_factory";
  std::filesystem::create_directories(dir);
  RtlEngineOptions options;
  options.wave = {(dir / "run.vcd").string(), WaveFormat::Vcd, 0, UINT64_MAX, ""};
  options.pipeline_trace = (dir / "run.kanata").string();
  EmptyWorld world;
  auto engine = make_rtl_engine(asm_image("mov r0, 5\nexit r0"), *world.runtime, options);
  auto memory = numbered_packet();
  EXPECT_EQ(engine->run_raw(memory).return_value, 5u);
  engine->finish();
  std::ifstream vcd(options.wave.path), trace(options.pipeline_trace);
  std::string first_vcd_line, first_trace_line;
  std::getline(vcd, first_vcd_line);
  std::getline(trace, first_trace_line);
  EXPECT_EQ(first_vcd_line.rfind("$", 0), 0u) << first_vcd_line;  // a VCD header
  EXPECT_EQ(first_trace_line, "Kanata\t0004");
  EXPECT_TRUE(std::filesystem::exists(dir / "run.gtkw"));

  RtlEngineOptions bad;
  bad.pipeline_trace = (dir / "no_such_dir" / "x.kanata").string();
  EXPECT_THROW(make_rtl_engine(asm_image("exit 1"), *world.runtime, bad), Error);
  RtlEngineOptions bad_wave;
  bad_wave.wave.path = (dir / "no_such_dir" / "x.fst").string();
  EXPECT_THROW(make_rtl_engine(asm_image("exit 1"), *world.runtime, bad_wave), Error);
}

// Plain runs use the core built without tracing. Before the first cycle a waveform swaps in
// the traced build (same cycles, same result); once the plain core has run, only a system
// built traced can start one.
TEST(RtlEngineWave, TracedBuildOnlyWhereAWaveformCanStart) {
  const auto dir = std::filesystem::temp_directory_path() / "nicsim_rtl_traced";
  std::filesystem::create_directories(dir);
  const WaveOptions wave{(dir / "late.fst").string(), WaveFormat::Fst, 0, UINT64_MAX, ""};
  const std::string program = "mov r3, 4\nld1 r0, [r1+r3+3]\nexit r0";
  EmptyWorld world;

  RtlEngine plain(asm_image(program), *world.runtime);
  EXPECT_FALSE(plain.system().core(0).traceable());
  auto memory = numbered_packet();
  EXPECT_EQ(plain.run_raw(memory).return_value, 7u);
  const model::PacketStats plain_stats = plain.last_outcome().stats;
  EXPECT_THROW(plain.system().open_wave(wave), Error);
  EXPECT_THROW(plain.system().core(0).open_trace(wave.path, 1e9), Error);

  RtlEngine swapped(asm_image(program), *world.runtime);
  swapped.system().open_wave({(dir / "first.fst").string(), WaveFormat::Fst, 0, UINT64_MAX, ""});
  EXPECT_TRUE(swapped.system().core(0).traceable());
  memory = numbered_packet();
  EXPECT_EQ(swapped.run_raw(memory).return_value, 7u);
  EXPECT_EQ(swapped.last_outcome().stats.exit_cycle, plain_stats.exit_cycle);
  EXPECT_EQ(swapped.last_outcome().stats.bundles, plain_stats.bundles);
  swapped.finish();
  EXPECT_GT(std::filesystem::file_size(dir / "first.fst"), 0u);

  RtlEngine traced(asm_image(program), *world.runtime, {}, true);
  memory = numbered_packet();
  EXPECT_EQ(traced.run_raw(memory).return_value, 7u);
  EXPECT_NO_THROW(traced.system().open_wave(wave));
  memory = numbered_packet();
  EXPECT_EQ(traced.run_raw(memory).return_value, 7u);
  traced.finish();
  EXPECT_GT(std::filesystem::file_size(wave.path), 0u);
}

}  // namespace
}  // namespace nicsim::rtl
