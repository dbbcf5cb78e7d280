// What one run leaves for the next: an engine tells the Runtime its regions (stack frames,
// context or raw memory) only when they changed, so a helper checking a pointer must still
// see the right ones after a different buffer, after another engine ran on the same
// Runtime, and after a run that ended inside a call; a run after a fault starts clean.

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "ebpf/runtime/helpers.h"
#include "jit/x86_64/test/jit_test_support.h"
#include "jit/x86_64/test/program_builder.h"

namespace nicsim::jit::test {
namespace {

using namespace nicsim::ebpf;

class X86RepeatedRuns : public ::testing::Test {
 protected:
  void SetUp() override { NICSIM_REQUIRE_X86_64_HOST(); }
};

// r0 = the first 4 bytes of the raw memory, copied by probe_read into the stack: the helper
// checks that the stack is writable and the memory readable through the Runtime's regions
// (an unregistered stack aborts the run; unregistered memory gives -EFAULT).
std::vector<Instruction> copy_through_helper() {
  return ProgramBuilder()
      .mov64r(3, 1)
      .mov64r(1, 10)
      .alu64(kAluAdd, 1, -8)
      .mov64(2, 4)
      .call(kHelperProbeRead)
      .jmp(kJmpJne, 0, 0, "failed")
      .ldx(kSizeW, 0, 10, -8)
      .label("failed")
      .exit()
      .build();
}

std::vector<uint8_t> bytes_of(uint32_t value) {
  std::vector<uint8_t> bytes(4);
  std::memcpy(bytes.data(), &value, 4);
  return bytes;
}

void expect_each_buffer_read(JitEngine& engine) {
  std::vector<uint8_t> first = bytes_of(0x11223344), second = bytes_of(0x55667788);
  for (int i = 0; i < 3; ++i) {
    const ExecutionResult a = engine.run_raw(first);
    ASSERT_FALSE(a.aborted) << a.diagnostic;
    EXPECT_EQ(a.return_value, 0x11223344u);
    const ExecutionResult b = engine.run_raw(second);
    ASSERT_FALSE(b.aborted) << b.diagnostic;
    EXPECT_EQ(b.return_value, 0x55667788u);
  }
}

TEST_F(X86RepeatedRuns, EachBufferIsTheRegionOfItsOwnRun) {
  JitRun checked(copy_through_helper());
  expect_each_buffer_read(*checked.engine);
  VerifiedRun verified(copy_through_helper());
  expect_each_buffer_read(*verified.engine);
  expect_same(copy_through_helper(), {raw_input(bytes_of(1)), raw_input(bytes_of(2)),
                                      raw_input(bytes_of(1)), raw_input()});
}

TEST_F(X86RepeatedRuns, EnginesTakingTurnsOnOneRuntimeEachRegisterTheirStack) {
  const ElfObject object = make_single_program_object(copy_through_helper());
  Runtime runtime(object);
  auto first = make_x86_64_engine(object.programs[0], runtime);
  auto second = make_x86_64_engine(object.programs[0], runtime);
  std::vector<uint8_t> memory = bytes_of(0x01020304);
  for (int i = 0; i < 3; ++i) {
    for (auto* engine : {first.get(), second.get()}) {
      const ExecutionResult result = engine->run_raw(memory);
      ASSERT_FALSE(result.aborted) << "turn " << i << ": " << result.diagnostic;
      EXPECT_EQ(result.return_value, 0x01020304u);
    }
  }
}

// A fault inside a bpf-to-bpf call (one frame deeper) on every other run: the run after it
// starts at depth 0 with no fault left over, as the interpreter's does (instruction
// counts, diagnostics and stack-visible results compared run by run).
TEST_F(X86RepeatedRuns, ARunAfterAFaultInsideACallStartsClean) {
  const auto insns = ProgramBuilder()
                         .mov64r(6, 1)
                         .call_local("f")
                         .exit()
                         .label("f")
                         .ldx(kSizeB, 2, 6, 0)
                         .alu64(kAluAnd, 2, 1)
                         .jmp(kJmpJeq, 2, 0, "fine")
                         .ldx(kSizeW, 0, 6, 64)  // past the memory: a fault
                         .label("fine")
                         .mov64r(1, 10)
                         .alu64(kAluAdd, 1, -8)
                         .mov64(2, 4)
                         .mov64r(3, 6)
                         .call(kHelperProbeRead)
                         .ldx(kSizeW, 0, 10, -8)
                         .exit()
                         .build();
  // More faults than the call depth allows: a depth left over by each would add up.
  std::vector<DifferentialInput> inputs;
  for (uint8_t i = 1; i <= 2 * kMaxCallDepth + 2; ++i)
    inputs.push_back(raw_input({i, 0, 0, 0}));
  const auto results = expect_same(insns, inputs);
  ASSERT_EQ(results.size(), inputs.size());
  for (size_t i = 0; i < results.size(); ++i) {
    const uint8_t first_byte = inputs[i].bytes[0];
    EXPECT_EQ(results[i].aborted, first_byte % 2 == 1) << "run " << i;
    if (first_byte % 2 == 0) {
      EXPECT_EQ(results[i].return_value, first_byte) << "run " << i;
    }
  }
}

// The engine keeps what it knows of a frame between runs on it: a raw run in between must
// make it bind the frame again, and the packet's bounds must be read again on every run, for
// the caller may have moved them (here adjust_tail) since the last one.
TEST_F(X86RepeatedRuns, ARunOnTheSameFrameSeesItsCurrentPacket) {
  JitRun run(ProgramBuilder()
                 .ldx(kSizeW, 2, 1, 0)   // ctx->data (raw memory: its first word)
                 .ldx(kSizeB, 0, 2, 15)  // the packet's byte 15, checked
                 .exit()
                 .build(),
             {}, ProgramType::Xdp);
  std::vector<uint8_t> packet(20, 0);
  packet[15] = 0xbb;
  XdpFrame frame(packet);
  ExecutionResult result = run.engine->run_xdp(frame);
  ASSERT_FALSE(result.aborted) << result.diagnostic;
  EXPECT_EQ(result.return_value, 0xbbu);

  std::vector<uint8_t> zeros(4, 0);  // reads address 15: outside every region
  EXPECT_TRUE(run.raw(zeros).aborted);

  frame.data()[15] = 0x42;
  result = run.engine->run_xdp(frame);
  ASSERT_FALSE(result.aborted) << result.diagnostic;
  EXPECT_EQ(result.return_value, 0x42u);

  ASSERT_EQ(frame.adjust_tail(-6), 0);  // 14 bytes left (the least allowed): 15 is out
  result = run.engine->run_xdp(frame);
  EXPECT_TRUE(result.aborted);
}

}  // namespace
}  // namespace nicsim::jit::test
