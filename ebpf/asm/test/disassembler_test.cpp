// The text the disassembler prints, line by line, in both syntaxes.
#include "ebpf/asm/disassembler.h"

#include <gtest/gtest.h>

namespace nicsim::ebpf {
namespace {

struct Case {
  std::vector<Instruction> slots;
  const char* pseudoc;
  const char* conformance;
};

std::vector<Instruction> lddw(uint8_t dst, uint8_t src, int32_t lo, int32_t hi) {
  return {make_insn(0x18, dst, src, 0, lo), make_insn(0, 0, 0, 0, hi)};
}

TEST(Disassembler, PrintsEachFormInBothSyntaxes) {
  const Case cases[] = {
      {{make_insn(0xb7, 0, 0, 0, 1)}, "r0 = 1", "mov %r0, 1"},
      {{make_insn(0xbc, 0, 1, 0, 0)}, "w0 = w1", "mov32 %r0, %r1"},
      {{make_insn(0x0f, 0, 1, 0, 0)}, "r0 += r1", "add %r0, %r1"},
      {{make_insn(0x3c, 0, 1, 1, 0)}, "w0 s/= w1", "sdiv32 %r0, %r1"},
      {{make_insn(0x97, 0, 0, 1, 3)}, "r0 s%= 3", "smod %r0, 3"},
      {{make_insn(0x87, 0, 0, 0, 0)}, "r0 = -r0", "neg %r0"},
      {{make_insn(0x84, 0, 0, 0, 0)}, "w0 = -w0", "neg32 %r0"},
      {{make_insn(0xc7, 0, 0, 0, 3)}, "r0 s>>= 3", "arsh %r0, 3"},
      {{make_insn(0x64, 2, 0, 0, -1)}, "w2 <<= -1", "lsh32 %r2, -1"},
      {{make_insn(0xdc, 1, 0, 0, 16)}, "r1 = be16 r1", "be16 %r1"},
      {{make_insn(0xd4, 1, 0, 0, 64)}, "r1 = le64 r1", "le64 %r1"},
      {{make_insn(0xd7, 1, 0, 0, 32)}, "r1 = bswap32 r1", "bswap32 %r1"},
      {{make_insn(0xbf, 1, 2, 8, 0)}, "r1 = (s8)r2", "movsx864 %r1, %r2"},
      {{make_insn(0xbc, 1, 2, 16, 0)}, "w1 = (s16)w2", "movsx1632 %r1, %r2"},
      {{make_insn(0xbf, 1, 2, 32, 0)}, "r1 = (s32)r2", "movsx3264 %r1, %r2"},
      {{make_insn(0x61, 0, 1, 8, 0)}, "r0 = *(u32 *)(r1 + 8)", "ldxw %r0, [%r1+8]"},
      {{make_insn(0x89, 0, 1, -2, 0)}, "r0 = *(s16 *)(r1 - 2)", "ldxsh %r0, [%r1-2]"},
      {{make_insn(0x79, 0, 1, -32768, 0)}, "r0 = *(u64 *)(r1 - 32768)", "ldxdw %r0, [%r1-32768]"},
      {{make_insn(0x7b, 10, 1, -8, 0)}, "*(u64 *)(r10 - 8) = r1", "stxdw [%r10-8], %r1"},
      {{make_insn(0x62, 10, 0, -4, 7)}, "*(u32 *)(r10 - 4) = 7", "stw [%r10-4], 7"},
      {{make_insn(0x7a, 1, 0, 0, 5)}, "*(u64 *)(r1 + 0) = 5", "stdw [%r1], 5"},
      {{make_insn(0xdb, 1, 2, 0, 0x00)}, "lock *(u64 *)(r1 + 0) += r2", "lock add [%r1], %r2"},
      {{make_insn(0xc3, 1, 2, 4, 0x50)}, "lock *(u32 *)(r1 + 4) &= w2", "lock and32 [%r1+4], %r2"},
      {{make_insn(0xdb, 1, 2, 0, 0x01)},
       "r2 = atomic_fetch_add((u64 *)(r1 + 0), r2)",
       "lock fetch add [%r1], %r2"},
      {{make_insn(0xc3, 1, 2, 0, 0xa1)},
       "w2 = atomic_fetch_xor((u32 *)(r1 + 0), w2)",
       "lock fetch xor32 [%r1], %r2"},
      {{make_insn(0xdb, 1, 2, 0, 0xe1)}, "r2 = xchg_64(r1 + 0, r2)", "lock xchg [%r1], %r2"},
      {{make_insn(0xc3, 1, 2, 0, 0xe1)}, "w2 = xchg32_32(r1 + 0, w2)", "lock xchg32 [%r1], %r2"},
      {{make_insn(0xdb, 1, 2, 0, 0xf1)},
       "r0 = cmpxchg_64(r1 + 0, r0, r2)",
       "lock cmpxchg [%r1], %r2"},
      {{make_insn(0xc3, 1, 2, 0, 0xf1)},
       "w0 = cmpxchg32_32(r1 + 0, w0, w2)",
       "lock cmpxchg32 [%r1], %r2"},
      {{make_insn(0x2d, 1, 2, 3, 0)}, "if r1 > r2 goto +3", "jgt %r1, %r2, +3"},
      {{make_insn(0xc6, 1, 0, -2, 5)}, "if w1 s< 5 goto -2", "jslt32 %r1, 5, -2"},
      {{make_insn(0x4d, 1, 2, 1, 0)}, "if r1 & r2 goto +1", "jset %r1, %r2, +1"},
      {{make_insn(0x15, 1, 0, 0, 0)}, "if r1 == 0 goto +0", "jeq %r1, 0, +0"},
      {{make_insn(0x05, 0, 0, 5, 0)}, "goto +5", "ja +5"},
      {{make_insn(0x06, 0, 0, 0, 70000)}, "gotol +70000", "ja32 +70000"},
      {{make_insn(0x85, 0, 0, 0, 5)}, "call 5", "call 5"},
      {{make_insn(0x85, 0, 1, 0, 3)}, "call pc+3", "call local +3"},
      {{make_insn(0x85, 0, 2, 0, 42)}, "call kfunc 42", "call kfunc 42"},
      {{make_insn(0x8d, 1, 0, 0, 0)}, "callx r1", "call %r1"},
      {{make_insn(0x95, 0, 0, 0, 0)}, "exit", "exit"},
      {lddw(1, 0, 0x55667788, 0x11223344), "r1 = 0x1122334455667788 ll",
       "lddw %r1, 0x1122334455667788"},
      {lddw(1, 0, -1, -1), "r1 = -0x1 ll", "lddw %r1, 0xffffffffffffffff"},
      {lddw(1, 1, 3, 0), "r1 = map[id:3]", "lddw %r1, map[id:3]"},
      {lddw(1, 2, 3, 8), "r1 = map[id:3][0]+8", "lddw %r1, map[id:3][0]+8"},
      {lddw(1, 3, 42, 0), "r1 = btf_id[42]", "lddw %r1, btf_id[42]"},
      {lddw(1, 4, 3, 0), "r1 = func[+3]", "lddw %r1, func[+3]"},
      {lddw(1, 5, 3, 0), "r1 = map[idx:3]", "lddw %r1, map[idx:3]"},
      {lddw(1, 6, 3, 8), "r1 = map[idx:3][0]+8", "lddw %r1, map[idx:3][0]+8"},
      {{make_insn(0x30, 0, 0, 0, 23)}, "r0 = *(u8 *)skb[23]", "ldabsb 23"},
      {{make_insn(0x48, 0, 7, 0, 0)}, "r0 = *(u16 *)skb[r7]", "ldindh %r7, 0"},
      {{make_insn(0x40, 0, 7, 0, -4)}, "r0 = *(u32 *)skb[r7 - 4]", "ldindw %r7, -4"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(disassemble_instruction(c.slots, 0, AsmSyntax::PseudoC), c.pseudoc);
    EXPECT_EQ(disassemble_instruction(c.slots, 0, AsmSyntax::Conformance), c.conformance);
  }
}

TEST(Disassembler, ListingWithIndicesAndJumpDestinations) {
  const std::vector<Instruction> program = {
      make_insn(0xb7, 0, 0, 0, 1), make_insn(0x15, 0, 0, 2, 1), make_insn(0x18, 1, 0, 0, 1),
      make_insn(0, 0, 0, 0, 0), make_insn(0x95, 0, 0, 0, 0)};
  EXPECT_EQ(disassemble(program, {.show_index = true}),
            "   0: r0 = 1\n"
            "   1: if r0 == 1 goto +2 <4>\n"
            "   2: r1 = 0x1 ll\n"
            "   4: exit\n");
  EXPECT_EQ(disassemble(program, {.syntax = AsmSyntax::Conformance}),
            "mov %r0, 1\n"
            "jeq %r0, 1, +2\n"
            "lddw %r1, 0x1\n"
            "exit\n");
}

TEST(Disassembler, RawBytesGoInAComment) {
  const std::vector<Instruction> program = {make_insn(0xb7, 0, 0, 0, 1),
                                            make_insn(0x7b, 10, 1, -8, 0)};
  EXPECT_EQ(disassemble(program, {.show_raw = true}),
            "r0 = 1                                          ; b7 00 00 00 01 00 00 00\n"
            "*(u64 *)(r10 - 8) = r1                          ; 7b 1a f8 ff 00 00 00 00\n");
  EXPECT_EQ(disassemble(program, {.syntax = AsmSyntax::Conformance, .show_raw = true}),
            "mov %r0, 1                                      # b7 00 00 00 01 00 00 00\n"
            "stxdw [%r10-8], %r1                             # 7b 1a f8 ff 00 00 00 00\n");
}

TEST(Disassembler, EncodingsWithoutAMnemonicPrintAsRawSlots) {
  // MOV with an immediate source but a nonzero src register: no text form carries src.
  const std::vector<Instruction> bad_mov = {make_insn(0xb7, 0, 1, 0, 1)};
  EXPECT_EQ(disassemble_instruction(bad_mov, 0), ".raw 0x00000001000010b7");
  // lddw in the last slot has no second half.
  const std::vector<Instruction> cut_lddw = {make_insn(0x95, 0, 0, 0, 0),
                                             make_insn(0x18, 1, 0, 0, 7)};
  EXPECT_EQ(disassemble(cut_lddw), "exit\n.raw 0x0000000700000118\n");
  // A register number beyond r10: regs = src 1 << 4 | dst 11 = 0x1b.
  EXPECT_EQ(
      disassemble_instruction(std::vector{make_insn(0xbf, 11, 1, 0, 0)}, 0, AsmSyntax::Conformance),
      ".raw 0x0000000000001bbf");
}

TEST(Disassembler, AutoSyntaxPrintsPseudoC) {
  const std::vector<Instruction> insn = {make_insn(0xb7, 0, 0, 0, 1)};
  EXPECT_EQ(disassemble_instruction(insn, 0, AsmSyntax::Auto), "r0 = 1");
}

TEST(Disassembler, IndexOutsideTheProgramIsAnError) {
  const std::vector<Instruction> insn = {make_insn(0x95, 0, 0, 0, 0)};
  EXPECT_THROW(disassemble_instruction(insn, 1), nicsim::Error);
  EXPECT_THROW(disassemble_instruction({}, 0), nicsim::Error);
  EXPECT_EQ(disassemble({}), "");
}

}  // namespace
}  // namespace nicsim::ebpf
