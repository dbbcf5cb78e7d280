// bpf-to-bpf calls (frames, callee-saved registers, depth limit), callx in both of its forms,
// helper calls and what the interpreter refuses to build.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "ebpf/interp/test/test_support.h"
#include "ebpf/isa/validate.h"
#include "ebpf/runtime/helpers.h"
#include "ebpf/util/error.h"

namespace nicsim::ebpf::test {
namespace {

using ::testing::HasSubstr;

TEST(InterpCall, LocalCallPassesArgumentsAndPreservesR6ToR9) {
  const auto program = code({
      mov64_imm(6, 6), mov64_imm(7, 7), mov64_imm(8, 8), mov64_imm(9, 9),  // 0-3
      mov64_imm(1, 1), mov64_imm(2, 2), mov64_imm(3, 3), mov64_imm(4, 4),  // 4-7
      mov64_imm(5, 5),                                                     // 8
      st(kSizeDw, 10, -8, 111),                                            // 9
      call_local(9),                                                       // 10 -> 20
      jmp_imm(kJmpJne, 6, 6, 6),                                           // 11 -> 18
      jmp_imm(kJmpJne, 7, 7, 5),                                           // 12
      jmp_imm(kJmpJne, 8, 8, 4),                                           // 13
      jmp_imm(kJmpJne, 9, 9, 3),                                           // 14
      ldx(kSizeDw, 1, 10, -8),                                             // 15
      jmp_imm(kJmpJne, 1, 111, 1),                                         // 16 -> 18
      exit_insn(),                                                         // 17
      mov64_imm(0, -1),                                                    // 18
      exit_insn(),                                                         // 19
      // callee: r0 = r1 + ... + r5, clobbers r6-r9 and its own stack slot
      mov64_reg(0, 1), alu64_reg(kAluAdd, 0, 2), alu64_reg(kAluAdd, 0, 3),  // 20-22
      alu64_reg(kAluAdd, 0, 4), alu64_reg(kAluAdd, 0, 5),                   // 23-24
      mov64_imm(6, 0), mov64_imm(7, 0), mov64_imm(8, 0), mov64_imm(9, 0),   // 25-28
      st(kSizeDw, 10, -8, 222),                                             // 29
      exit_insn(),                                                          // 30
  });
  EXPECT_EQ(r0_of(program), 15u);
}

TEST(InterpCall, CalleeMayUseAPointerToTheCallersFrame) {
  const auto program = code({
      st(kSizeDw, 10, -8, 4242),
      mov64_reg(1, 10),
      alu64_imm(kAluAdd, 1, -8),
      call_local(1),  // -> 5
      exit_insn(),
      ldx(kSizeDw, 0, 1, 0),  // 5: reads the caller's slot
      st(kSizeDw, 1, 0, 99),  // and overwrites it
      exit_insn(),
  });
  EXPECT_EQ(r0_of(program), 4242u);
}

TEST(InterpCall, CalleeFramePointerIsBelowTheCallers) {
  // r10 differs between the frames and the callee's frame does not overlap the caller's.
  const auto program = code({
      mov64_reg(6, 10),
      call_local(3),  // -> 5
      alu64_reg(kAluSub, 6, 0),
      mov64_reg(0, 6),
      exit_insn(),
      mov64_reg(0, 10),  // 5
      exit_insn(),
  });
  EXPECT_GE(r0_of(program), 512u);
}

// `calls` nested local calls: function k sits at 2k and calls function k + 1.
std::vector<Instruction> nested_calls(int calls) {
  std::vector<Instruction> program;
  for (int k = 0; k < calls; ++k) {
    program.push_back(call_local(1));
    program.push_back(exit_insn());
  }
  program.push_back(mov64_imm(0, 42));
  program.push_back(exit_insn());
  return program;
}

TEST(InterpCall, EightFramesAreAllowed) {
  EXPECT_EQ(r0_of(nested_calls(kMaxCallDepth - 1)), 42u);
}

TEST(InterpCall, NinthFrameAborts) {
  const ExecutionResult result = run_raw(nested_calls(kMaxCallDepth));
  ASSERT_TRUE(result.aborted);
  EXPECT_THAT(result.diagnostic, HasSubstr("insn 14: call depth exceeded"));
}

TEST(InterpCall, InfiniteRecursionAborts) {
  const ExecutionResult result = run_raw(code({call_local(-1), exit_insn()}));
  ASSERT_TRUE(result.aborted);
  EXPECT_THAT(result.diagnostic, HasSubstr("insn 0: call depth exceeded: more than 8 frames"));
}

TEST(InterpCall, CallxToACodeAddress) {
  std::vector<Instruction> program;
  lddw(program, 1, 3, kLddwFunc);       // 0-1: r1 = address of insn 0 + 3 + 1 = 4
  program.push_back(callx(1));          // 2
  program.push_back(exit_insn());       // 3
  program.push_back(mov64_imm(0, 77));  // 4
  program.push_back(exit_insn());
  EXPECT_EQ(r0_of(program), 77u);
}

TEST(InterpCall, CallxToAHelperId) {
  RuntimeConfig config;
  config.start_time_ns = 123456789;
  Harness harness(
      make_single_program_object(code({mov64_imm(2, kHelperKtimeGetNs), callx(2), exit_insn()})), 0,
      {}, config);
  const ExecutionResult result = harness.raw();
  ASSERT_FALSE(result.aborted) << result.diagnostic;
  EXPECT_EQ(result.return_value, 123456789u);
}

TEST(InterpCall, CallxToNothingAborts) {
  std::vector<Instruction> program;
  lddw(program, 3, 0x123456789);
  program.push_back(callx(3));
  program.push_back(exit_insn());
  ExecutionResult result = run_raw(program);
  ASSERT_TRUE(result.aborted);
  EXPECT_THAT(result.diagnostic,
              HasSubstr("insn 2: callx r3 = 0x123456789 is neither a function address"));
  result = run_raw(code({mov64_imm(3, 999), callx(3), exit_insn()}));
  ASSERT_TRUE(result.aborted);
  EXPECT_THAT(result.diagnostic, HasSubstr("callx r3 = 0x3e7"));
  result = run_raw(code({mov64_imm(3, 14), callx(3), exit_insn()}));
  ASSERT_TRUE(result.aborted);
  EXPECT_THAT(result.diagnostic, HasSubstr("helper 14 (get_current_pid_tgid)"));
}

TEST(InterpCall, HelperCallReturnsInR0AndKeepsR6) {
  RuntimeConfig config;
  config.start_time_ns = 5000;
  Harness harness(make_single_program_object(code({mov64_imm(6, 1), call_helper(kHelperKtimeGetNs),
                                                   alu64_reg(kAluAdd, 0, 6), exit_insn()})),
                  0, {}, config);
  EXPECT_EQ(harness.raw().return_value, 5001u);
}

TEST(InterpCall, HelperFaultAbortsWithItsMessage) {
  // map_lookup_elem on something that is not a map.
  const ExecutionResult result = run_raw(
      code({mov64_imm(1, 0), mov64_imm(2, 0), call_helper(kHelperMapLookupElem), exit_insn()}));
  ASSERT_TRUE(result.aborted);
  EXPECT_THAT(result.diagnostic, HasSubstr("insn 2: helper map_lookup_elem"));
}

TEST(InterpRefuses, UnknownHelper) {
  try {
    run_raw(code({mov64_imm(0, 0), call_helper(999), exit_insn()}));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "insn 1: call to unknown helper 999");
  }
}

TEST(InterpRefuses, UnimplementedHelper) {
  try {
    run_raw(code({call_helper(14), exit_insn()}));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "insn 0: helper 14 (get_current_pid_tgid) is not implemented by nicsim");
  }
}

TEST(InterpRefuses, KfuncCall) {
  EXPECT_THROW(
      run_raw(code({make_insn(kClassJmp | kJmpCall, 0, kCallKfunc, 0, 1234), exit_insn()})), Error);
}

TEST(InterpRefuses, InvalidEncoding) {
  EXPECT_THROW(run_raw(code({make_insn(0xff, 0, 0, 0, 0), exit_insn()})), DecodeError);
  EXPECT_THROW(run_raw({}), DecodeError);
}

TEST(InterpRefuses, MissingMap) {
  std::vector<Instruction> program;
  lddw(program, 1, 3, kLddwMapFd);
  program.push_back(exit_insn());
  try {
    run_raw(program);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("insn 0: lddw refers to map 3 but the object has 0 map(s)"));
  }
}

TEST(InterpRefuses, FunctionAddressIntoAnLddw) {
  std::vector<Instruction> program;
  lddw(program, 1, 2, kLddwFunc);  // 0 + 2 + 1 = 3: the second slot of the next lddw
  lddw(program, 2, 0);
  program.push_back(exit_insn());
  EXPECT_THROW(run_raw(program), Error);
}

TEST(InterpFaults, BtfVariableLoadIsNotSupported) {
  std::vector<Instruction> program = {mov64_imm(0, 0)};
  lddw(program, 1, 5, kLddwBtfId);
  program.push_back(exit_insn());
  const ExecutionResult result = run_raw(program);
  ASSERT_TRUE(result.aborted);
  EXPECT_THAT(result.diagnostic, HasSubstr("insn 1: lddw of a kernel variable by BTF id"));
}

TEST(InterpBudget, InfiniteLoopStopsAtTheBudget) {
  InterpreterOptions options;
  options.instruction_budget = 1000;
  const ExecutionResult result = run_raw(code({ja(-1)}), {}, options);
  ASSERT_TRUE(result.aborted);
  EXPECT_EQ(result.instructions, 1000u);
  EXPECT_EQ(result.diagnostic, "insn 0: instruction budget of 1000 exceeded");
}

TEST(InterpBudget, BudgetIsExact) {
  const auto program = code({mov64_imm(0, 1), alu64_imm(kAluAdd, 0, 1), exit_insn()});
  InterpreterOptions options;
  options.instruction_budget = 3;
  ExecutionResult result = run_raw(program, {}, options);
  EXPECT_FALSE(result.aborted) << result.diagnostic;
  EXPECT_EQ(result.return_value, 2u);
  EXPECT_EQ(result.instructions, 3u);
  options.instruction_budget = 2;
  result = run_raw(program, {}, options);
  EXPECT_TRUE(result.aborted);
  EXPECT_THAT(result.diagnostic, HasSubstr("insn 2: instruction budget of 2 exceeded"));
}

TEST(InterpBudget, LddwCountsOnce) {
  std::vector<Instruction> program;
  lddw(program, 0, 1);
  program.push_back(exit_insn());
  EXPECT_EQ(run_raw(program).instructions, 2u);
}

TEST(InterpLegacy, LdAbsAndLdIndReadBigEndianFromTheMemory) {
  const std::vector<uint8_t> memory = {0x12, 0x34, 0x56, 0x78, 0x9a};
  EXPECT_EQ(r0_of(code({ld_abs(kSizeB, 4), exit_insn()}), memory), 0x9au);
  EXPECT_EQ(r0_of(code({ld_abs(kSizeH, 0), exit_insn()}), memory), 0x1234u);
  EXPECT_EQ(r0_of(code({ld_abs(kSizeW, 1), exit_insn()}), memory), 0x3456789au);
  EXPECT_EQ(r0_of(code({mov64_imm(3, 2), ld_ind(kSizeH, 3, 1), exit_insn()}), memory), 0x789au);
  // Out of range: the program ends with r0 = 0 (classic BPF semantics), not with a fault.
  const ExecutionResult result =
      run_raw(code({ld_abs(kSizeW, 2), mov64_imm(0, 7), exit_insn()}), memory);
  EXPECT_FALSE(result.aborted);
  EXPECT_EQ(result.return_value, 0u);
  EXPECT_EQ(r0_of(code({mov64_imm(3, -1), ld_ind(kSizeB, 3, 0), exit_insn()}), memory), 0u);
}

}  // namespace
}  // namespace nicsim::ebpf::test
