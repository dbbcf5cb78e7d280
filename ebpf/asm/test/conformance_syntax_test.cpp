// Conformance-syntax forms that the bpf_conformance programs do not exercise, and the label
// rules of that syntax. Expected encodings come from RFC 9669 field values.
#include <gtest/gtest.h>

#include "ebpf/asm/assembler.h"

namespace nicsim::ebpf {
namespace {

std::vector<Instruction> lddw(uint8_t dst, uint8_t src, int32_t lo, int32_t hi) {
  return {make_insn(0x18, dst, src, 0, lo), make_insn(0, 0, 0, 0, hi)};
}

void expect_assembles(const char* text, const std::vector<Instruction>& expected) {
  SCOPED_TRACE(text);
  EXPECT_EQ(assemble(text, AsmSyntax::Conformance), expected);
  EXPECT_EQ(assemble(text, AsmSyntax::Auto), expected);
}

TEST(ConformanceSyntax, LegacyPacketLoads) {
  expect_assembles("ldabsb 23", {make_insn(0x30, 0, 0, 0, 23)});     // LD|B|ABS
  expect_assembles("ldabsh 2", {make_insn(0x28, 0, 0, 0, 2)});       // LD|H|ABS
  expect_assembles("ldabsw -1", {make_insn(0x20, 0, 0, 0, -1)});     // LD|W|ABS
  expect_assembles("ldindb %r7, 4", {make_insn(0x50, 0, 7, 0, 4)});  // LD|B|IND
  expect_assembles("ldindw %r1, 0", {make_insn(0x40, 0, 1, 0, 0)});
}

TEST(ConformanceSyntax, LddwPseudoSources) {
  expect_assembles("lddw %r1, map[id:3]", lddw(1, 1, 3, 0));
  expect_assembles("lddw %r1, map[id:3][0]+8", lddw(1, 2, 3, 8));
  expect_assembles("lddw %r1, btf_id[42]", lddw(1, 3, 42, 0));
  expect_assembles("lddw %r1, func[-2]", lddw(1, 4, -2, 0));
  expect_assembles("lddw %r1, map[idx:4294967295]", lddw(1, 5, -1, 0));
  expect_assembles("lddw %r1, map[idx:3][0]+4294967295", lddw(1, 6, 3, -1));
  expect_assembles("lddw %r9, -1", lddw(9, 0, -1, -1));
  expect_assembles("lddw %r0, 0x8000000000000000", lddw(0, 0, 0, INT32_MIN));
}

TEST(ConformanceSyntax, CallsAndLongJumps) {
  expect_assembles("call 1", {make_insn(0x85, 0, 0, 0, 1)});
  expect_assembles("call local +3", {make_insn(0x85, 0, 1, 0, 3)});
  expect_assembles("call kfunc 7", {make_insn(0x85, 0, 2, 0, 7)});
  expect_assembles("call %r9", {make_insn(0x8d, 9, 0, 0, 0)});
  expect_assembles("ja32 +70000", {make_insn(0x06, 0, 0, 0, 70000)});
  expect_assembles("ja32 -2147483648", {make_insn(0x06, 0, 0, 0, INT32_MIN)});
  expect_assembles("ja -1", {make_insn(0x05, 0, 0, -1, 0)});
}

TEST(ConformanceSyntax, SpellingVariants) {
  expect_assembles("add64 %r1, 2", {make_insn(0x07, 1, 0, 0, 2)});
  expect_assembles("neg64 %r1", {make_insn(0x87, 1, 0, 0, 0)});
  expect_assembles("jeq64 %r1, %r2, +1", {make_insn(0x1d, 1, 2, 1, 0)});
  expect_assembles("ldxw %r0, [%r1 + 4]", {make_insn(0x61, 0, 1, 4, 0)});
  expect_assembles("stxw [%r1 - 4], %r2", {make_insn(0x63, 1, 2, -4, 0)});
  expect_assembles("ldxdw %r0, [%r1]", {make_insn(0x79, 0, 1, 0, 0)});
  expect_assembles("lock fetch xor32 [%r1+2], %r3", {make_insn(0xc3, 1, 3, 2, 0xa1)});
  expect_assembles("lock xchg [%r1], %r3", {make_insn(0xdb, 1, 3, 0, 0xe1)});
  expect_assembles("lock cmpxchg32 [%r1], %r3", {make_insn(0xc3, 1, 3, 0, 0xf1)});
  expect_assembles("movsx864 %r1, %r2", {make_insn(0xbf, 1, 2, 8, 0)});
  expect_assembles("movsx832 %r1, %r2", {make_insn(0xbc, 1, 2, 8, 0)});
  expect_assembles("movsx3264 %r1, %r2", {make_insn(0xbf, 1, 2, 32, 0)});
  expect_assembles("smod32 %r1, -3", {make_insn(0x94, 1, 0, 1, -3)});
  expect_assembles("mov %r1, 0x80000000", {make_insn(0xb7, 1, 0, 0, INT32_MIN)});
}

TEST(ConformanceSyntax, ExitAsJumpTargetMeansTheFirstExit) {
  // bpf_conformance programs jump to "exit" without a label of that name.
  const char* source = R"(
    jeq %r1, 0, exit
    mov %r0, 1
    exit
    mov %r0, 2
    jeq %r1, 1, exit
    exit
  )";
  const std::vector<Instruction> expected = {
      make_insn(0x15, 1, 0, 1, 0),  // to 2
      make_insn(0xb7, 0, 0, 0, 1), make_insn(0x95, 0, 0, 0, 0),
      make_insn(0xb7, 0, 0, 0, 2), make_insn(0x15, 1, 0, -3, 1),  // back to 2, the first exit
      make_insn(0x95, 0, 0, 0, 0),
  };
  EXPECT_EQ(assemble(source, AsmSyntax::Conformance), expected);
}

TEST(ConformanceSyntax, AnExitLabelTakesPrecedence) {
  const char* source = R"(
    jeq %r1, 0, exit
    exit
    exit:
    exit
  )";
  EXPECT_EQ(assemble(source, AsmSyntax::Conformance)[0], make_insn(0x15, 1, 0, 1, 0));
}

TEST(ConformanceSyntax, PseudoCLinesDoNotJumpToAnImplicitExit) {
  EXPECT_THROW(assemble("goto exit\nexit", AsmSyntax::PseudoC), AsmError);
}

TEST(ConformanceSyntax, MixedSyntaxesInAutoMode) {
  const char* source = R"(
    mov %r0, 1
    r0 += 2
    jeq %r0, 3, done
    r0 = 0
  done:
    exit
  )";
  const std::vector<Instruction> expected = {
      make_insn(0xb7, 0, 0, 0, 1), make_insn(0x07, 0, 0, 0, 2), make_insn(0x15, 0, 0, 1, 3),
      make_insn(0xb7, 0, 0, 0, 0), make_insn(0x95, 0, 0, 0, 0)};
  EXPECT_EQ(assemble(source), expected);
}

TEST(ConformanceSyntax, RawSlotsInBothSyntaxes) {
  const Instruction any = Instruction::from_raw(0xfedcba9876543210ull);
  EXPECT_EQ(assemble(".raw 0xfedcba9876543210", AsmSyntax::Conformance),
            std::vector<Instruction>{any});
  EXPECT_EQ(assemble(".raw 0xfedcba9876543210", AsmSyntax::PseudoC), std::vector<Instruction>{any});
}

}  // namespace
}  // namespace nicsim::ebpf
