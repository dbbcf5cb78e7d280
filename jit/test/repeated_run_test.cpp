// Engine::run_xdp_repeated on every JIT target, in Checked and Verified mode. JitEngine runs a
// repeated run in its own loop (the frame bound once, no result built per run); n runs of it
// must equal n run_xdp calls, compared two ways: with the interpreter, whose repeated run is
// the Engine's default (n run_xdp calls), and with the same JIT's run_xdp called run by run
// (which also compares Verified code's instruction counts). Each comparison covers r0, the
// abort and its diagnostic, the counts, the packet, the redirect target and every map. The
// programs rewrite the packet (a MAC swap that alternates), move it, redirect on every other
// run, update maps, tail-call, end early and abort on a chosen run; each also needs a per-run
// reset the loop must make (the redirect target, the stack, the instruction budget, the
// tail-call count, the status after a run that ended early), and the direct checks below
// give the values the runs must produce, known independently of any engine.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "ebpf/maps/test/map_test_support.h"
#include "ebpf/runtime/helpers.h"
#include "jit/test/jit_fixture.h"

namespace nicsim::jit::test {
namespace {

using ebpf::kHelperMapLookupElem;
using ebpf::kHelperMapUpdateElem;
using ebpf::kHelperRedirect;
using ebpf::kHelperTailCall;
using ebpf::kHelperXdpAdjustHead;
using ebpf::kHelperXdpAdjustTail;

enum class Mode { Checked, Verified };

// An engine's run_xdp called once per run: the Engine's default run_xdp_repeated over it.
class RunByRun final : public ebpf::Engine {
 public:
  explicit RunByRun(std::unique_ptr<ebpf::Engine> engine) : engine_(std::move(engine)) {}
  std::string_view name() const override { return engine_->name(); }
  ebpf::ExecutionResult run_xdp(ebpf::XdpFrame& frame) override { return engine_->run_xdp(frame); }
  ebpf::ExecutionResult run_raw(std::span<uint8_t> memory) override {
    return engine_->run_raw(memory);
  }

 private:
  std::unique_ptr<ebpf::Engine> engine_;
};

EngineFactory run_by_run(EngineFactory factory) {
  return [factory = std::move(factory)](const ebpf::Program& program,
                                        ebpf::Runtime& runtime) -> std::unique_ptr<ebpf::Engine> {
    return std::make_unique<RunByRun>(factory(program, runtime));
  };
}

ebpf::MapDefinition counter_map() {
  return ebpf::test::make_def(ebpf::MapType::Array, 4, 8, 1, 0, "counter");
}

ebpf::Program xdp_program(const std::string& name, const std::string& source) {
  ebpf::Program program;
  program.section = "xdp";
  program.function = name;
  program.type = ebpf::ProgramType::Xdp;
  program.insns = assemble(source);
  program.functions = {{0, name}};
  return program;
}

ebpf::ElfObject xdp_object(const std::string& source, std::vector<ebpf::MapDefinition> maps = {}) {
  ebpf::ElfObject object;
  object.path = "repeat";
  object.maps = std::move(maps);
  object.programs.push_back(xdp_program("entry", source));
  return object;
}

// Swaps the Ethernet addresses (XDP_TX) and counts its runs in map 0, as xdp2 does.
ebpf::ElfObject mac_swap_object() {
  return xdp_object(fmt::format(R"(
    r2 = *(u32 *)(r1 + 4)
    r1 = *(u32 *)(r1 + 0)
    r3 = r1
    r3 += 14
    if r3 > r2 goto pass
    r4 = *(u32 *)(r1 + 0)
    r5 = *(u32 *)(r1 + 6)
    *(u32 *)(r1 + 0) = r5
    *(u32 *)(r1 + 6) = r4
    r4 = *(u16 *)(r1 + 4)
    r5 = *(u16 *)(r1 + 10)
    *(u16 *)(r1 + 4) = r5
    *(u16 *)(r1 + 10) = r4
    r6 = 3
    goto count
  pass:
    r6 = 2
  count:
    *(u32 *)(r10 - 4) = 0
    r2 = r10
    r2 += -4
    r1 = map[id:0]
    call {}
    if r0 == 0 goto out
    r1 = 1
    lock *(u64 *)(r0 + 0) += r1
  out:
    r0 = r6
    exit
  )",
                                kHelperMapLookupElem),
                    {counter_map()});
}

// Grows the packet by 2 bytes at the head and 1 at the tail each run (XDP_DROP once the
// headroom is gone), and writes the new length into the first byte.
ebpf::ElfObject moving_object() {
  return xdp_object(fmt::format(R"(
    r6 = r1
    r2 = -2
    call {}
    r7 = r0
    r1 = r6
    r2 = 1
    call {}
    r2 = *(u32 *)(r6 + 0)
    r3 = *(u32 *)(r6 + 4)
    r4 = r2
    r4 += 1
    if r4 > r3 goto out
    r5 = r3
    r5 -= r2
    *(u8 *)(r2 + 0) = r5
  out:
    r0 = 2
    if r7 == 0 goto done
    r0 = 1
  done:
    exit
  )",
                                kHelperXdpAdjustHead, kHelperXdpAdjustTail));
}

// Counts its runs on a frame in the packet's first byte and redirects to interface 7 on odd
// counts (XDP_PASS on even ones): the redirect target must be reset between runs.
ebpf::ElfObject redirecting_object() {
  return xdp_object(fmt::format(R"(
    r2 = *(u32 *)(r1 + 0)
    r3 = *(u32 *)(r1 + 4)
    r4 = r2
    r4 += 1
    if r4 > r3 goto pass
    r5 = *(u8 *)(r2 + 0)
    r5 += 1
    *(u8 *)(r2 + 0) = r5
    r5 &= 1
    if r5 == 0 goto pass
    r1 = 7
    r2 = 0
    call {}
    exit
  pass:
    r0 = 2
    exit
  )",
                                kHelperRedirect));
}

// Counts its runs in map 0 and stores each count in the hash map 1 under count % 4.
ebpf::ElfObject map_update_object() {
  return xdp_object(fmt::format(R"(
    *(u32 *)(r10 - 4) = 0
    r2 = r10
    r2 += -4
    r1 = map[id:0]
    call {}
    if r0 == 0 goto out
    r7 = *(u64 *)(r0 + 0)
    r7 += 1
    *(u64 *)(r0 + 0) = r7
    *(u64 *)(r10 - 16) = r7
    r7 &= 3
    *(u32 *)(r10 - 8) = r7
    r1 = map[id:1]
    r2 = r10
    r2 += -8
    r3 = r10
    r3 += -16
    r4 = 0
    call {}
  out:
    r0 = 2
    exit
  )",
                                kHelperMapLookupElem, kHelperMapUpdateElem),
                    {counter_map(), ebpf::test::make_def(ebpf::MapType::Hash, 4, 8, 4, 0, "last")});
}

constexpr uint64_t kFaultingRun = 40;

// Counts its runs in map 1 and tail-calls through map 0 every run: to "pass" (XDP_PASS), or on
// run kFaultingRun to "fault", which reads address 0 and aborts (in Verified mode too: tail
// call targets are compiled checked). XDP_DROP when the tail call falls through: the tail-call
// count must restart every run, or the kernel's limit of 33 would be reached.
ebpf::ElfObject tail_calling_object() {
  ebpf::ElfObject object = xdp_object(
      fmt::format(R"(
    r6 = r1
    *(u32 *)(r10 - 4) = 0
    r2 = r10
    r2 += -4
    r1 = map[id:1]
    call {}
    if r0 == 0 goto fall_through
    r7 = *(u64 *)(r0 + 0)
    r7 += 1
    *(u64 *)(r0 + 0) = r7
    r3 = 1
    if r7 != {} goto call
    r3 = 2
  call:
    r1 = r6
    r2 = map[id:0]
    call {}
  fall_through:
    r0 = 1
    exit
  )",
                  kHelperMapLookupElem, kFaultingRun, kHelperTailCall),
      {ebpf::test::make_def(ebpf::MapType::ProgArray, 4, 4, 4, 0, "jump_table"), counter_map()});
  object.maps[0].initial_slots = {{1, "pass"}, {2, "fault"}};
  object.programs.push_back(xdp_program("pass", "r0 = 2\nexit"));
  object.programs.push_back(xdp_program("fault", "r2 = 0\nr0 = *(u64 *)(r2 + 0)\nexit"));
  return object;
}

// Checked code only (the verifier refuses the first load): reads a stack slot it then writes,
// which every run must find cleared, and runs 15,004 instructions, of which 100 runs exceed
// one run's budget (1,000,000): it must restart every run.
ebpf::ElfObject stack_and_budget_object() {
  return xdp_object(R"(
    r0 = *(u64 *)(r10 - 8)
    r1 = 0x55
    *(u64 *)(r10 - 8) = r1
    r1 = 5000
  top:
    r0 += 3
    r1 -= 1
    if r1 != 0 goto top
    exit
  )");
}

// Checked code only (the verifier refuses legacy packet loads in XDP): grows the packet by 4
// bytes and loads its byte 20, out of range on a 14-byte packet's first run, which ends early
// with r0 = 0 (not an abort); the second run must start normally and return XDP_PASS.
ebpf::ElfObject ending_early_object() {
  return xdp_object(fmt::format(R"(
    r6 = r1
    r2 = 4
    call {}
    r0 = *(u8 *)skb[20]
    r0 = 2
    exit
  )",
                                kHelperXdpAdjustTail));
}

std::vector<uint8_t> test_packet(size_t size = 64) {
  std::vector<uint8_t> packet(size);
  for (size_t i = 0; i < size; ++i)
    packet[i] = static_cast<uint8_t>(0x10 + i);
  return packet;
}

DifferentialInput repeated(std::vector<uint8_t> packet, uint32_t repeat) {
  DifferentialInput input = xdp_input(std::move(packet));
  input.repeat = repeat;
  return input;
}

// The same packet repeated 1, 2, 3, 0 (one run, as in the kernel) and 100 times.
std::vector<DifferentialInput> repeats_of(const std::vector<uint8_t>& packet) {
  std::vector<DifferentialInput> inputs;
  for (uint32_t repeat : {1, 2, 3, 0, 100})
    inputs.push_back(repeated(packet, repeat));
  return inputs;
}

class JitRepeatedRun : public ::testing::TestWithParam<std::tuple<std::string, Mode>> {
 protected:
  void SetUp() override { NICSIM_REQUIRE_RUNNABLE(target()); }
  const JitTarget& target() const { return jit_target(std::get<0>(GetParam())); }
  Mode mode() const { return std::get<1>(GetParam()); }
  EngineFactory factory() const {
    return mode() == Mode::Verified ? verified_factory(target()) : jit_factory(target());
  }

  // Repeated runs on the JIT equal the interpreter's and the JIT's own run_xdp run by run;
  // returns the JIT's results.
  std::vector<ebpf::ExecutionResult> expect_same_runs(
      const ebpf::ElfObject& object, const std::vector<DifferentialInput>& inputs) const {
    DifferentialOptions against_interpreter;
    against_interpreter.compare_instruction_counts = mode() == Mode::Checked;
    const DifferentialReport interpreter =
        compare_engines(object, 0, inputs, interpreter_factory(), factory(), against_interpreter);
    EXPECT_TRUE(interpreter.equal) << "against the interpreter: " << interpreter.difference;
    const DifferentialReport own =
        compare_engines(object, 0, inputs, run_by_run(factory()), factory());
    EXPECT_TRUE(own.equal) << "against run_xdp run by run: " << own.difference;
    return interpreter.candidate_results;
  }
};

// One world of the JIT alone, for the values runs must produce.
struct JitWorld {
  JitWorld(const EngineFactory& factory, ebpf::ElfObject object_in)
      : object(std::move(object_in)),
        runtime(object),
        engine(factory(object.programs[0], runtime)) {}

  uint64_t counter() {
    const uint32_t key = 0;
    uint64_t value = 0;
    EXPECT_EQ(
        runtime.map(static_cast<size_t>(object.find_map("counter"))).host_lookup(&key, &value), 0);
    return value;
  }

  ebpf::ElfObject object;
  ebpf::Runtime runtime;
  std::unique_ptr<ebpf::Engine> engine;
};

TEST_P(JitRepeatedRun, MacSwapAlternates) {
  const std::vector<uint8_t> packet = test_packet();
  const auto results = expect_same_runs(mac_swap_object(), repeats_of(packet));
  for (const auto& result : results)
    EXPECT_EQ(result.return_value, 3u);

  JitWorld world(factory(), mac_swap_object());
  std::vector<uint8_t> swapped = packet;
  std::swap_ranges(swapped.begin(), swapped.begin() + 6, swapped.begin() + 6);
  for (uint32_t repeat : {1, 2, 3, 1000}) {
    ebpf::XdpFrame frame(packet);
    world.engine->run_xdp_repeated(frame, repeat);
    const auto out = frame.packet();
    EXPECT_EQ(std::vector<uint8_t>(out.begin(), out.end()), repeat % 2 == 1 ? swapped : packet)
        << repeat << " runs";
  }
  EXPECT_EQ(world.counter(), 1u + 2 + 3 + 1000);
}

TEST_P(JitRepeatedRun, PacketMovesEveryRun) {
  const auto results = expect_same_runs(moving_object(), repeats_of(test_packet()));
  EXPECT_EQ(results.back().return_value, 2u);  // 100 runs fit in the headroom (256 - 40)

  JitWorld world(factory(), moving_object());
  ebpf::XdpFrame frame(test_packet());
  EXPECT_EQ(world.engine->run_xdp_repeated(frame, 10).return_value, 2u);
  EXPECT_EQ(frame.length(), 64u + 10 * 3);
  EXPECT_EQ(frame.packet()[0], uint8_t{64 + 10 * 3});
  // The headroom ends after 108 runs: the helper then fails on every run.
  EXPECT_EQ(world.engine->run_xdp_repeated(frame, 200).return_value, 1u);
  EXPECT_EQ(frame.headroom(), ebpf::kXdpFrameHeaderSize);
}

TEST_P(JitRepeatedRun, RedirectTargetIsPerRun) {
  std::vector<DifferentialInput> inputs = repeats_of(std::vector<uint8_t>(64, 0));
  inputs.push_back(repeated(std::vector<uint8_t>(64, 0), 99));
  const auto results = expect_same_runs(redirecting_object(), inputs);
  EXPECT_EQ(ebpf::xdp_action_of(results.at(3)), ebpf::XdpAction::Redirect);  // repeat 0: one run
  EXPECT_EQ(ebpf::xdp_action_of(results.at(4)), ebpf::XdpAction::Pass);

  JitWorld world(factory(), redirecting_object());
  for (uint32_t repeat : {1, 2, 7, 8}) {
    ebpf::XdpFrame frame(std::vector<uint8_t>(64, 0));
    world.engine->run_xdp_repeated(frame, repeat);
    EXPECT_EQ(uint32_t{frame.packet()[0]}, repeat);
    EXPECT_EQ(world.runtime.redirect().kind, repeat % 2 == 1 ? ebpf::RedirectTarget::Kind::Ifindex
                                                             : ebpf::RedirectTarget::Kind::None)
        << repeat << " runs";
  }
  // Every run is an invocation of its own (trace and event records carry its index).
  EXPECT_EQ(world.runtime.invocation_index(), 1u + 2 + 7 + 8);
}

TEST_P(JitRepeatedRun, MapUpdatesAccumulate) {
  expect_same_runs(map_update_object(), repeats_of(test_packet()));

  JitWorld world(factory(), map_update_object());
  ebpf::XdpFrame frame(test_packet());
  world.engine->run_xdp_repeated(frame, 10);
  EXPECT_EQ(world.counter(), 10u);
  ebpf::Map& last = world.runtime.map(1);
  for (uint32_t key = 0; key < 4; ++key) {
    uint64_t value = 0;
    ASSERT_EQ(last.host_lookup(&key, &value), 0);
    EXPECT_EQ(value, key <= 2 ? 8u + key : 4u + key) << "key " << key;  // counts 1..10
  }
}

TEST_P(JitRepeatedRun, TailCallsRestartAndAnAbortStopsTheRuns) {
  const std::vector<uint8_t> packet = test_packet();
  const std::vector<DifferentialInput> inputs = {repeated(packet, 35), repeated(packet, 10),
                                                 repeated(packet, 3)};
  const auto results = expect_same_runs(tail_calling_object(), inputs);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].return_value, 2u);
  EXPECT_EQ(results[0].tail_calls, 1u);
  EXPECT_TRUE(results[1].aborted);
  EXPECT_NE(results[1].diagnostic.find("of 'xdp/fault'"), std::string::npos)
      << results[1].diagnostic;
  EXPECT_FALSE(results[2].aborted) << results[2].diagnostic;

  JitWorld world(factory(), tail_calling_object());
  ebpf::XdpFrame frame(packet);
  EXPECT_TRUE(world.engine->run_xdp_repeated(frame, 1000).aborted);
  EXPECT_EQ(world.counter(), kFaultingRun);  // no run after the one that aborted
  EXPECT_EQ(world.engine->run_xdp_repeated(frame, 3).return_value, 2u);
  EXPECT_EQ(world.counter(), kFaultingRun + 3);
}

// Programs the verifier refuses: Checked mode only.
class JitRepeatedRunChecked : public JitRepeatedRun {};

TEST_P(JitRepeatedRunChecked, StackAndBudgetArePerRun) {
  const auto results = expect_same_runs(stack_and_budget_object(), repeats_of(test_packet()));
  for (const auto& result : results) {
    EXPECT_FALSE(result.aborted) << result.diagnostic;
    EXPECT_EQ(result.return_value, 15'000u);  // the stack slot read as 0
    EXPECT_EQ(result.instructions, 4u + 3 * 5000 + 1);
  }
}

TEST_P(JitRepeatedRunChecked, RunAfterOneThatEndedEarly) {
  const std::vector<uint8_t> packet = test_packet(14);
  const auto results = expect_same_runs(ending_early_object(), repeats_of(packet));
  EXPECT_EQ(results.at(0).return_value, 0u);  // ended early
  EXPECT_FALSE(results[0].aborted);
  EXPECT_EQ(results.at(1).return_value, 2u);

  JitWorld world(factory(), ending_early_object());
  ebpf::XdpFrame frame(packet);
  EXPECT_EQ(world.engine->run_xdp_repeated(frame, 2).return_value, 2u);
  EXPECT_EQ(frame.length(), 14u + 2 * 4);
}

std::string test_name(const ::testing::TestParamInfo<std::tuple<std::string, Mode>>& info) {
  return std::get<0>(info.param) +
         (std::get<1>(info.param) == Mode::Checked ? "_checked" : "_verified");
}

INSTANTIATE_TEST_SUITE_P(Targets, JitRepeatedRun,
                         ::testing::Combine(::testing::ValuesIn(target_names()),
                                            ::testing::Values(Mode::Checked, Mode::Verified)),
                         test_name);
INSTANTIATE_TEST_SUITE_P(Targets, JitRepeatedRunChecked,
                         ::testing::Combine(::testing::ValuesIn(target_names()),
                                            ::testing::Values(Mode::Checked)),
                         test_name);

}  // namespace
}  // namespace nicsim::jit::test
