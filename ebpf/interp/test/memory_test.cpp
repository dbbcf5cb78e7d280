// Loads, stores and atomics on the stack and on raw memory, and the faults of bad accesses:
// out of bounds, stack underflow, wild pointers.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "ebpf/interp/test/test_support.h"
#include "ebpf/util/error.h"

namespace nicsim::ebpf::test {
namespace {

using ::testing::HasSubstr;

uint64_t read_u64(const std::vector<uint8_t>& bytes, size_t offset) {
  uint64_t v;
  std::memcpy(&v, bytes.data() + offset, 8);
  return v;
}

const std::vector<uint8_t> kCounting = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99};

TEST(InterpMemory, LoadsAreLittleEndianAndZeroExtended) {
  EXPECT_EQ(r0_of(code({ldx(kSizeB, 0, 1, 0), exit_insn()}), kCounting), 0x11u);
  EXPECT_EQ(r0_of(code({ldx(kSizeH, 0, 1, 0), exit_insn()}), kCounting), 0x2211u);
  EXPECT_EQ(r0_of(code({ldx(kSizeW, 0, 1, 0), exit_insn()}), kCounting), 0x44332211u);
  EXPECT_EQ(r0_of(code({ldx(kSizeDw, 0, 1, 0), exit_insn()}), kCounting), 0x8877665544332211u);
  EXPECT_EQ(r0_of(code({ldx(kSizeB, 0, 1, 8), exit_insn()}), kCounting), 0x99u);
}

TEST(InterpMemory, UnalignedLoads) {
  EXPECT_EQ(r0_of(code({ldx(kSizeW, 0, 1, 1), exit_insn()}), kCounting), 0x55443322u);
  EXPECT_EQ(r0_of(code({ldx(kSizeDw, 0, 1, 1), exit_insn()}), kCounting), 0x9988776655443322u);
}

TEST(InterpMemory, SignExtendingLoads) {
  const std::vector<uint8_t> memory = {0x80, 0xff, 0x00, 0x80, 0x7f, 0xff, 0x7f};
  EXPECT_EQ(r0_of(code({ldxs(kSizeB, 0, 1, 0), exit_insn()}), memory), 0xffffffffffffff80u);
  EXPECT_EQ(r0_of(code({ldxs(kSizeH, 0, 1, 0), exit_insn()}), memory), 0xffffffffffffff80u);
  EXPECT_EQ(r0_of(code({ldxs(kSizeW, 0, 1, 0), exit_insn()}), memory), 0xffffffff8000ff80u);
  EXPECT_EQ(r0_of(code({ldxs(kSizeB, 0, 1, 4), exit_insn()}), memory), 0x7fu);
  EXPECT_EQ(r0_of(code({ldxs(kSizeH, 0, 1, 5), exit_insn()}), memory), 0x7fffu);
}

TEST(InterpMemory, StoresWriteOnlyTheirWidth) {
  std::vector<uint8_t> memory(16, 0xee);
  std::vector<Instruction> program = {
      st(kSizeB, 1, 0, 0x1ab),  // only the low byte 0xab
      st(kSizeH, 1, 1, -2),     // 0xfffe
      st(kSizeW, 1, 3, -1),     // four 0xff
  };
  lddw(program, 2, 0x0102030405060708);
  program.push_back(stx(kSizeB, 1, 2, 7));  // 0x08
  program.push_back(stx(kSizeH, 1, 2, 8));  // 0x0708
  program.push_back(mov64_imm(0, 0));
  program.push_back(exit_insn());
  Harness harness(program);
  const ExecutionResult result = harness.raw(memory);
  ASSERT_FALSE(result.aborted) << result.diagnostic;
  const std::vector<uint8_t> expected = {0xab, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0x08,
                                         0x08, 0x07, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee};
  EXPECT_EQ(memory, expected);
}

TEST(InterpMemory, StdwImmediateIsSignExtended) {
  std::vector<uint8_t> memory(8, 0);
  Harness harness(code({st(kSizeDw, 1, 0, -1), mov64_imm(0, 0), exit_insn()}));
  ASSERT_FALSE(harness.raw(memory).aborted);
  EXPECT_EQ(read_u64(memory, 0), ~uint64_t{0});
}

TEST(InterpMemory, StackRoundTripAndWholeFrame) {
  std::vector<Instruction> program;
  lddw(program, 1, 0xcafef00dbaadbeef);
  program.push_back(stx(kSizeDw, 10, 1, -8));
  program.push_back(st(kSizeB, 10, -512, 0x5a));  // the frame's lowest byte
  program.push_back(ldx(kSizeDw, 0, 10, -8));
  program.push_back(ldx(kSizeB, 2, 10, -512));
  program.push_back(alu64_reg(kAluXor, 0, 2));
  program.push_back(exit_insn());
  EXPECT_EQ(r0_of(program), 0xcafef00dbaadbeefu ^ 0x5a);
}

TEST(InterpMemory, StackStartsZeroedOnEveryRun) {
  // Reads a stack slot, then writes it: a second run must not see the first run's write.
  Harness harness(code({ldx(kSizeDw, 0, 10, -16), st(kSizeDw, 10, -16, 77), exit_insn()}));
  EXPECT_EQ(harness.raw().return_value, 0u);
  EXPECT_EQ(harness.raw().return_value, 0u);
}

TEST(InterpMemory, RawContractPointerAndLength) {
  std::vector<uint8_t> memory(7, 0);
  EXPECT_EQ(r0_of(code({mov64_reg(0, 2), exit_insn()}), memory), 7u);
  EXPECT_EQ(r0_of(code({mov64_reg(0, 1), exit_insn()}), {}), 0u) << "r1 is 0 without memory";
  EXPECT_EQ(r0_of(code({mov64_reg(0, 2), exit_insn()}), {}), 0u);
}

// ---- faults ----

ExecutionResult expect_abort(std::vector<Instruction> program, std::vector<uint8_t> memory = {}) {
  const ExecutionResult result = run_raw(std::move(program), std::move(memory));
  EXPECT_TRUE(result.aborted) << "r0 = " << result.return_value;
  return result;
}

TEST(InterpMemoryFaults, ReadPastTheEndOfMemory) {
  const auto result = expect_abort(code({ldx(kSizeW, 0, 1, 1), exit_insn()}), {1, 2, 3, 4});
  EXPECT_THAT(result.diagnostic, HasSubstr("insn 0: invalid read of 4 bytes at 0x"));
  EXPECT_THAT(result.diagnostic, HasSubstr("not stack"));
}

TEST(InterpMemoryFaults, ReadBeforeTheStartOfMemory) {
  const auto result = expect_abort(code({ldx(kSizeB, 0, 1, -1), exit_insn()}), {1, 2, 3, 4});
  EXPECT_THAT(result.diagnostic, HasSubstr("invalid read of 1 bytes"));
}

TEST(InterpMemoryFaults, WritePastTheEndOfMemory) {
  std::vector<uint8_t> memory = {1, 2, 3, 4};
  Harness harness(code({mov64_imm(0, 0), st(kSizeB, 1, 4, 9), exit_insn()}));
  const auto result = harness.raw(memory);
  ASSERT_TRUE(result.aborted);
  EXPECT_THAT(result.diagnostic, HasSubstr("insn 1: invalid write of 1 bytes"));
  EXPECT_EQ(result.instructions, 2u) << "the faulting instruction counts";
}

TEST(InterpMemoryFaults, NullPointer) {
  const auto result = expect_abort(code({ldx(kSizeB, 0, 1, 0), exit_insn()}));
  EXPECT_THAT(result.diagnostic, HasSubstr("invalid read of 1 bytes at 0x0 "));
}

TEST(InterpMemoryFaults, WildPointer) {
  std::vector<Instruction> program;
  lddw(program, 1, 0xdeadbeef00);
  program.push_back(ldx(kSizeDw, 0, 1, 0));
  program.push_back(exit_insn());
  const auto result = expect_abort(program);
  EXPECT_THAT(result.diagnostic, HasSubstr("insn 2: invalid read of 8 bytes at 0xdeadbeef00"));
}

TEST(InterpMemoryFaults, StackUnderflow) {
  const auto result = expect_abort(code({st(kSizeB, 10, -513, 1), mov64_imm(0, 0), exit_insn()}));
  EXPECT_THAT(result.diagnostic, HasSubstr("insn 0: invalid write of 1 bytes at fp-513"));
}

TEST(InterpMemoryFaults, ReadAboveTheFrame) {
  EXPECT_THAT(expect_abort(code({ldx(kSizeDw, 0, 10, 0), exit_insn()})).diagnostic,
              HasSubstr("invalid read of 8 bytes at fp+0"));
  // Straddling the top of the frame.
  EXPECT_THAT(expect_abort(code({ldx(kSizeDw, 0, 10, -4), exit_insn()})).diagnostic,
              HasSubstr("invalid read of 8 bytes at fp-4"));
}

TEST(InterpMemoryFaults, StackPointerArithmeticOutOfFrame) {
  const auto result = expect_abort(
      code({mov64_reg(1, 10), alu64_imm(kAluSub, 1, 600), ldx(kSizeW, 0, 1, 0), exit_insn()}));
  EXPECT_THAT(result.diagnostic, HasSubstr("insn 2: invalid read of 4 bytes at fp-600"));
}

// ---- atomics ----

struct AtomicOutcome {
  uint64_t memory;
  uint64_t src;
  uint64_t r0;
};

// Runs `op` of `size` on a stack slot holding `initial`, with r2 = src and r0 = r0_in, and
// reports the slot, r2 and r0 afterwards.
AtomicOutcome run_atomic(uint8_t size, int32_t op, uint64_t initial, uint64_t src,
                         uint64_t r0_in = 0) {
  std::vector<Instruction> program = {mov64_reg(9, 1)};
  lddw(program, 3, initial);
  program.push_back(stx(kSizeDw, 10, 3, -8));
  lddw(program, 2, src);
  lddw(program, 0, r0_in);
  program.push_back(atomic(size, op, 10, 2, -8));
  program.push_back(ldx(kSizeDw, 3, 10, -8));
  program.push_back(stx(kSizeDw, 9, 3, 0));
  program.push_back(stx(kSizeDw, 9, 2, 8));
  program.push_back(stx(kSizeDw, 9, 0, 16));
  program.push_back(exit_insn());
  std::vector<uint8_t> out(24, 0);
  Harness harness(program);
  const ExecutionResult result = harness.raw(out);
  EXPECT_FALSE(result.aborted) << result.diagnostic;
  return {read_u64(out, 0), read_u64(out, 8), read_u64(out, 16)};
}

TEST(InterpAtomic, NonFetchingOperationsLeaveSrc) {
  struct Case {
    int32_t op;
    uint64_t expected;
  };
  for (const Case& c : {Case{kAtomicAdd, 0x1eff}, Case{kAtomicOr, 0x0fff}, Case{kAtomicAnd, 0x0f00},
                        Case{kAtomicXor, 0x00ff}}) {
    SCOPED_TRACE(c.op);
    const auto out = run_atomic(kSizeDw, c.op, 0x0f0f, 0x0ff0);
    EXPECT_EQ(out.memory, c.expected);
    EXPECT_EQ(out.src, 0x0ff0u);
  }
}

TEST(InterpAtomic, FetchingOperationsReturnTheOldValue) {
  struct Case {
    int32_t op;
    uint64_t expected;
  };
  for (const Case& c :
       {Case{kAtomicAdd | kAtomicFetch, 0x1eff}, Case{kAtomicOr | kAtomicFetch, 0x0fff},
        Case{kAtomicAnd | kAtomicFetch, 0x0f00}, Case{kAtomicXor | kAtomicFetch, 0x00ff}}) {
    SCOPED_TRACE(c.op);
    const auto out = run_atomic(kSizeDw, c.op, 0x0f0f, 0x0ff0);
    EXPECT_EQ(out.memory, c.expected);
    EXPECT_EQ(out.src, 0x0f0fu);
  }
}

TEST(InterpAtomic, ThirtyTwoBitOperationsTouchTheLowWordAndZeroExtend) {
  auto out = run_atomic(kSizeW, kAtomicAdd | kAtomicFetch, 0x123456789abcdef0, 1);
  EXPECT_EQ(out.memory, 0x123456789abcdef1u);
  EXPECT_EQ(out.src, 0x9abcdef0u) << "the fetched value is zero-extended";
  out = run_atomic(kSizeW, kAtomicAdd, 0x00000001ffffffff, 1);
  EXPECT_EQ(out.memory, 0x0000000100000000u) << "no carry into the next word";
  out = run_atomic(kSizeW, kAtomicOr | kAtomicFetch, 0xffffffff00000001, 0xffffffff00000002);
  EXPECT_EQ(out.memory, 0xffffffff00000003u);
  EXPECT_EQ(out.src, 1u);
  out = run_atomic(kSizeW, kAtomicAnd, 0xffffffffffffffff, 0x0000000000ff00ff);
  EXPECT_EQ(out.memory, 0xffffffff00ff00ffu);
  out = run_atomic(kSizeW, kAtomicXor | kAtomicFetch, 0x11111111ffffffff, 0x0f0f0f0f);
  EXPECT_EQ(out.memory, 0x11111111f0f0f0f0u);
  EXPECT_EQ(out.src, 0xffffffffu);
}

TEST(InterpAtomic, Exchange) {
  auto out = run_atomic(kSizeDw, kAtomicXchg, 0x1111, 0x2222);
  EXPECT_EQ(out.memory, 0x2222u);
  EXPECT_EQ(out.src, 0x1111u);
  out = run_atomic(kSizeW, kAtomicXchg, 0x2222222233333333, 0xaaaaaaaa11111111);
  EXPECT_EQ(out.memory, 0x2222222211111111u);
  EXPECT_EQ(out.src, 0x33333333u);
}

TEST(InterpAtomic, CompareExchange) {
  // Match: memory takes src, r0 receives the old value.
  auto out = run_atomic(kSizeDw, kAtomicCmpxchg, 0x1234, 0x5678, 0x1234);
  EXPECT_EQ(out.memory, 0x5678u);
  EXPECT_EQ(out.r0, 0x1234u);
  EXPECT_EQ(out.src, 0x5678u);
  // Mismatch: memory unchanged, r0 still receives it.
  out = run_atomic(kSizeDw, kAtomicCmpxchg, 0x1234, 0x5678, 0x9999);
  EXPECT_EQ(out.memory, 0x1234u);
  EXPECT_EQ(out.r0, 0x1234u);
  // 32-bit: compares the low halves only; r0 is zero-extended.
  out = run_atomic(kSizeW, kAtomicCmpxchg, 0x123456789abcdef0, 0x11223344, 0xffffffff9abcdef0);
  EXPECT_EQ(out.memory, 0x1234567811223344u);
  EXPECT_EQ(out.r0, 0x9abcdef0u);
  out = run_atomic(kSizeW, kAtomicCmpxchg, 0x123456789abcdef0, 0x11223344, 0x12345678);
  EXPECT_EQ(out.memory, 0x123456789abcdef0u);
  EXPECT_EQ(out.r0, 0x9abcdef0u);
}

TEST(InterpAtomic, OnRawMemoryAndOutOfBounds) {
  std::vector<uint8_t> memory(8, 0);
  Harness harness(code({mov64_imm(2, 5), atomic(kSizeDw, kAtomicAdd, 1, 2, 0),
                        atomic(kSizeDw, kAtomicAdd, 1, 2, 0), mov64_imm(0, 0), exit_insn()}));
  ASSERT_FALSE(harness.raw(memory).aborted);
  EXPECT_EQ(read_u64(memory, 0), 10u);
  const auto result = expect_abort(
      code({mov64_imm(2, 5), atomic(kSizeW, kAtomicAdd, 1, 2, 6), exit_insn()}), memory);
  EXPECT_THAT(result.diagnostic, HasSubstr("insn 1: invalid write of 4 bytes"));
}

TEST(InterpAtomic, FetchIntoTheFramePointerIsRefused) {
  EXPECT_THROW(run_raw(code({atomic(kSizeDw, kAtomicAdd | kAtomicFetch, 1, 10, 0), exit_insn()})),
               Error);
}

}  // namespace
}  // namespace nicsim::ebpf::test
