// The code around a program's instructions: what the prologue saves and sets up (only what
// the program uses), direct entry into verified single-function programs, exits through one
// epilogue, and leaving from a helper fault through it.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ebpf/runtime/helpers.h"
#include "jit/x86_64/test/jit_test_support.h"
#include "jit/x86_64/test/program_builder.h"
#include "jit/x86_64/x86_disassembler.h"

namespace nicsim::jit::test {
namespace {

class X86Entry : public ::testing::Test {
 protected:
  void SetUp() override { NICSIM_REQUIRE_X86_64_HOST(); }
};

// The native code before instruction 0, as the listing shows it.
std::string prologue_of(const CompiledProgram& compiled) {
  const std::string listing = disassemble_x86_64(compiled);
  const size_t begin = listing.find("; prologue");
  const size_t end = listing.find(";    0:");
  if (begin == std::string::npos || end == std::string::npos) return "";
  return listing.substr(begin, end - begin);
}

TEST_F(X86Entry, AProgramThatUsesNoCalleeSavedRegisterIsItsInstructionsAndARet) {
  VerifiedRun run(ProgramBuilder().mov64(0, 2).exit().build());
  // mov eax, 2 (B8 imm32); ret (C3): nothing saved, nothing set up, no stubs.
  const std::vector<uint8_t> expected = {0xb8, 0x02, 0x00, 0x00, 0x00, 0xc3};
  EXPECT_EQ(std::vector<uint8_t>(run.code().begin(), run.code().end()), expected);
  EXPECT_EQ(run.engine->run_raw({}).return_value, 2u);
}

TEST_F(X86Entry, SavesOnlyTheCalleeSavedRegistersTheProgramUses) {
  // r6 (rbx) and r8 (r14), no frame, no helper: two pushes, the stack needs no padding.
  const auto insns =
      ProgramBuilder().mov64(6, 5).mov64r(8, 6).alu64(kAluAdd, 8, 3).mov64r(0, 8).exit().build();
  VerifiedRun run(insns);
  const std::string prologue = prologue_of(run.compiled());
  EXPECT_NE(prologue.find("push rbx"), std::string::npos) << prologue;
  EXPECT_NE(prologue.find("push r14"), std::string::npos) << prologue;
  for (const char* unused : {"rbp", "r12", "r13", "r15", "rax", "call"})
    EXPECT_EQ(prologue.find(unused), std::string::npos) << unused << "\n" << prologue;
  const std::string listing = disassemble_x86_64(run.compiled());
  EXPECT_LT(listing.find("pop r14"), listing.find("pop rbx")) << listing;
  EXPECT_EQ(run.engine->run_raw({}).return_value, 8u);
  expect_same_verified(insns, {raw_input()});
}

TEST_F(X86Entry, OnlyAProgramThatUsesR10GetsItsFrame) {
  const auto with_stack = ProgramBuilder()
                              .mov64(2, 41)
                              .stx(kSizeDw, 10, 2, -8)
                              .ldx(kSizeDw, 0, 10, -8)
                              .alu64(kAluAdd, 0, 1)
                              .exit()
                              .build();
  VerifiedRun framed(with_stack);
  const std::string prologue = prologue_of(framed.compiled());
  EXPECT_NE(prologue.find("push rbp"), std::string::npos) << prologue;
  EXPECT_NE(prologue.find("mov rbp, qword ptr [rdx + 8]"), std::string::npos) << prologue;
  EXPECT_EQ(framed.engine->run_raw({}).return_value, 42u);
  expect_same_verified(with_stack, {raw_input()});

  VerifiedRun frameless(ProgramBuilder().mov64(0, 1).exit().build());
  EXPECT_EQ(disassemble_x86_64(frameless.compiled()).find("rbp"), std::string::npos);
}

TEST_F(X86Entry, EveryExitLeavesThroughTheEpilogue) {
  // r6 and r7 are saved, so the early exit jumps to the epilogue the last exit falls into; r2
  // (the raw memory size) picks the exit.
  const auto insns = ProgramBuilder()
                         .mov64r(6, 2)
                         .mov64(7, 10)
                         .jmp(kJmpJgt, 6, 3, "big")
                         .mov64(0, 1)
                         .exit()
                         .label("big")
                         .mov64r(0, 6)
                         .alu64r(kAluMul, 0, 7)
                         .exit()
                         .build();
  VerifiedRun run(insns);
  std::vector<uint8_t> small(2), big(7);
  EXPECT_EQ(run.engine->run_raw(small).return_value, 1u);
  EXPECT_EQ(run.engine->run_raw(big).return_value, 70u);
  const std::string listing = disassemble_x86_64(run.compiled());
  EXPECT_NE(listing.find("jmp"), std::string::npos) << listing;
  EXPECT_EQ(listing.find("pop r13"), listing.rfind("pop r13")) << listing;  // one epilogue
  expect_same_verified(insns, {raw_input(small), raw_input(big), raw_input()});
}

TEST_F(X86Entry, AnEpilogueNoLongerThanAJumpIsRepeatedAtEachExit) {
  // Only r6 is saved: `pop rbx; ret` is two bytes, as a short jump.
  const auto insns = ProgramBuilder()
                         .mov64r(6, 2)
                         .jmp(kJmpJgt, 6, 3, "big")
                         .mov64(0, 1)
                         .exit()
                         .label("big")
                         .mov64r(0, 6)
                         .exit()
                         .build();
  VerifiedRun run(insns);
  const std::string listing = disassemble_x86_64(run.compiled());
  EXPECT_EQ(listing.find("jmp"), std::string::npos) << listing;
  EXPECT_NE(listing.find("pop rbx"), listing.rfind("pop rbx")) << listing;
  std::vector<uint8_t> small(2), big(7);
  expect_same_verified(insns, {raw_input(small), raw_input(big)});
}

TEST_F(X86Entry, AHelperFaultLeavesThroughTheEpilogueAndTheNextRunWorks) {
  // r6..r9 live across a helper call. With more than 3 bytes of raw memory the program hands
  // trace_printk a format pointer it may not read, a fault that ends the run from inside the
  // helper stub (trace_printk keeps its checked path in verified code). Five saved registers
  // (rbx, r12..r15) need the stack padded for C++ calls.
  const auto insns = ProgramBuilder()
                         .mov64(6, 1)
                         .mov64(7, 2)
                         .mov64(8, 3)
                         .mov64(9, 4)
                         .jmp(kJmpJgt, 2, 3, "bad")
                         .call(ebpf::kHelperKtimeGetNs)
                         .mov64r(0, 6)
                         .alu64r(kAluAdd, 0, 7)
                         .alu64r(kAluAdd, 0, 8)
                         .alu64r(kAluAdd, 0, 9)
                         .exit()
                         .label("bad")
                         .mov64(1, 1)
                         .mov64(2, 4)
                         .mov64(3, 0)
                         .mov64(4, 0)
                         .call(ebpf::kHelperTracePrintk)
                         .exit()
                         .build();
  VerifiedRun run(insns);
  const std::string prologue = prologue_of(run.compiled());
  EXPECT_NE(prologue.find("push rax"), std::string::npos) << prologue;
  std::vector<uint8_t> small(1), big(5);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(run.engine->run_raw(small).return_value, 10u);
    const ebpf::ExecutionResult aborted = run.engine->run_raw(big);
    EXPECT_TRUE(aborted.aborted);
    EXPECT_NE(aborted.diagnostic.find("trace_printk"), std::string::npos) << aborted.diagnostic;
  }
  expect_same_verified(insns, {raw_input(small), raw_input(big), raw_input(small)});
}

TEST_F(X86Entry, LocalCallsKeepTheTrampolineThatCallsTheBody) {
  const auto insns = ProgramBuilder()
                         .mov64(6, 20)
                         .call_local("f")
                         .alu64r(kAluAdd, 0, 6)
                         .exit()
                         .label("f")
                         .mov64(6, 1)
                         .mov64(0, 22)
                         .exit()
                         .build();
  VerifiedRun run(insns);
  EXPECT_NE(prologue_of(run.compiled()).find("call"), std::string::npos);
  EXPECT_EQ(run.engine->run_raw({}).return_value, 42u);
  expect_same_verified(insns, {raw_input()});
}

TEST_F(X86Entry, CheckedCodeStillStartsRegistersAtZero) {
  // r6 and r9 are read before any write: the interpreter reads zero.
  const auto insns =
      ProgramBuilder().mov64r(0, 6).alu64r(kAluAdd, 0, 9).alu64r(kAluAdd, 0, 3).exit().build();
  JitRun run(insns);
  EXPECT_EQ(run.raw().return_value, 0u);
  expect_same(insns, {raw_input(), raw_input({9})});
}

}  // namespace
}  // namespace nicsim::jit::test
