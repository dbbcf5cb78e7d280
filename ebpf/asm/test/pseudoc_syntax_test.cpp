// Pseudo-C input forms (llvm-objdump, the kernel verifier log, PREVAIL test data). Expected
// encodings are written from RFC 9669's field definitions: opcode = class | op | source,
// or class | size | mode for memory; atomics keep the operation in imm.
#include <gtest/gtest.h>

#include "ebpf/asm/assembler.h"

namespace nicsim::ebpf {
namespace {

struct Case {
  const char* text;
  std::vector<Instruction> expected;
};

Instruction insn(uint8_t opcode, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  return make_insn(opcode, dst, src, off, imm);
}

// lddw: opcode 0x18, the second slot carries the upper 32 bits.
std::vector<Instruction> lddw(uint8_t dst, uint8_t src, int32_t lo, int32_t hi) {
  return {insn(0x18, dst, src, 0, lo), insn(0, 0, 0, 0, hi)};
}

void expect_cases(const std::vector<Case>& cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    std::vector<Instruction> actual;
    ASSERT_NO_THROW(actual = assemble(c.text, AsmSyntax::PseudoC));
    EXPECT_EQ(actual, c.expected);
    EXPECT_EQ(assemble(c.text, AsmSyntax::Auto), c.expected) << "auto syntax";
  }
}

TEST(PseudoCSyntax, AluForms) {
  expect_cases({
      {"r0 = 1", {insn(0xb7, 0, 0, 0, 1)}},            // ALU64|MOV|K
      {"w0 = w1", {insn(0xbc, 0, 1, 0, 0)}},           // ALU|MOV|X
      {"r0 += r1", {insn(0x0f, 0, 1, 0, 0)}},          // ALU64|ADD|X
      {"w0 s/= w1", {insn(0x3c, 0, 1, 1, 0)}},         // ALU|DIV|X, offset 1 = signed
      {"r0 s%= 3", {insn(0x97, 0, 0, 1, 3)}},          // ALU64|MOD|K, signed
      {"r0 = -r0", {insn(0x87, 0, 0, 0, 0)}},          // ALU64|NEG
      {"w0 = -w0", {insn(0x84, 0, 0, 0, 0)}},          // ALU|NEG
      {"r0 s>>= 3", {insn(0xc7, 0, 0, 0, 3)}},         // ALU64|ARSH|K
      {"w3 <<= w4", {insn(0x6c, 3, 4, 0, 0)}},         // ALU|LSH|X
      {"r3 >>= 7", {insn(0x77, 3, 0, 0, 7)}},          // ALU64|RSH|K
      {"r3 -= 7", {insn(0x17, 3, 0, 0, 7)}},           // ALU64|SUB|K
      {"r3 *= r9", {insn(0x2f, 3, 9, 0, 0)}},          // ALU64|MUL|X
      {"w3 /= 7", {insn(0x34, 3, 0, 0, 7)}},           // ALU|DIV|K
      {"r3 %= r1", {insn(0x9f, 3, 1, 0, 0)}},          // ALU64|MOD|X
      {"w3 |= 0xff", {insn(0x44, 3, 0, 0, 255)}},      // ALU|OR|K
      {"r3 &= -16", {insn(0x57, 3, 0, 0, -16)}},       // ALU64|AND|K
      {"r3 ^= r3", {insn(0xaf, 3, 3, 0, 0)}},          // ALU64|XOR|X
      {"r1 = be16 r1", {insn(0xdc, 1, 0, 0, 16)}},     // ALU|END|TO_BE
      {"r1 = le64 r1", {insn(0xd4, 1, 0, 0, 64)}},     // ALU|END|TO_LE
      {"r1 = bswap32 r1", {insn(0xd7, 1, 0, 0, 32)}},  // ALU64|END
      {"r1 = (s8)r2", {insn(0xbf, 1, 2, 8, 0)}},       // MOVSX: offset = source width
      {"w1 = (s16)w2", {insn(0xbc, 1, 2, 16, 0)}},
      {"r1 = (s32)r2", {insn(0xbf, 1, 2, 32, 0)}},
      {"r0 = 0xffffffff", {insn(0xb7, 0, 0, 0, -1)}},  // 32-bit patterns are accepted
      {"r0 = -2147483648", {insn(0xb7, 0, 0, 0, INT32_MIN)}},
  });
}

TEST(PseudoCSyntax, MemoryForms) {
  expect_cases({
      {"r0 = *(u32 *)(r1 + 8)", {insn(0x61, 0, 1, 8, 0)}},   // LDX|W|MEM
      {"r0 = *(s16 *)(r1 - 2)", {insn(0x89, 0, 1, -2, 0)}},  // LDX|H|MEMSX
      {"r0 = *(u8 *)(r1 + 0)", {insn(0x71, 0, 1, 0, 0)}},    // LDX|B|MEM
      {"r0 = *(u64 *)(r1 + 32767)", {insn(0x79, 0, 1, 32767, 0)}},
      {"r0 = *(s32 *)(r1 - 32768)", {insn(0x81, 0, 1, -32768, 0)}},
      {"w0 = *(u32 *)(r1 + 0)", {insn(0x61, 0, 1, 0, 0)}},     // llvm -mattr=+alu32 spelling
      {"*(u64 *)(r10 - 8) = r1", {insn(0x7b, 10, 1, -8, 0)}},  // STX|DW|MEM
      {"*(u32 *)(r10 - 4) = 7", {insn(0x62, 10, 0, -4, 7)}},   // ST|W|MEM
      {"*(u16 *)(r1 + 2) = -1", {insn(0x6a, 1, 0, 2, -1)}},    // ST|H|MEM
      {"*(u8 *)(r1 + 0) = w2", {insn(0x73, 1, 2, 0, 0)}},      // STX|B|MEM
      {"r0 = *(u8 *)skb[23]", {insn(0x30, 0, 0, 0, 23)}},      // LD|B|ABS
      {"r0 = *(u16 *)skb[r7 + 0]", {insn(0x48, 0, 7, 0, 0)}},  // LD|H|IND
      {"r0 = *(u32 *)skb[r7]", {insn(0x40, 0, 7, 0, 0)}},      // LD|W|IND
      {"r0 = *(u32 *)skb[r7 - 4]", {insn(0x40, 0, 7, 0, -4)}},
  });
}

TEST(PseudoCSyntax, AtomicForms) {
  // STX|DW|ATOMIC = 0xdb, STX|W|ATOMIC = 0xc3; imm: op (| FETCH 0x01), XCHG 0xe1, CMPXCHG 0xf1.
  expect_cases({
      {"lock *(u64 *)(r1 + 0) += r2", {insn(0xdb, 1, 2, 0, 0x00)}},
      {"lock *(u64 *)(r1 + 0) |= r2", {insn(0xdb, 1, 2, 0, 0x40)}},
      {"lock *(u64 *)(r1 + 0) &= r2", {insn(0xdb, 1, 2, 0, 0x50)}},
      {"lock *(u64 *)(r1 + 0) ^= r2", {insn(0xdb, 1, 2, 0, 0xa0)}},
      {"lock *(u32 *)(r1 - 4) += w2", {insn(0xc3, 1, 2, -4, 0x00)}},
      {"lock *(u32 *)(r1 + 0) |= w2", {insn(0xc3, 1, 2, 0, 0x40)}},
      {"lock *(u32 *)(r1 + 0) &= w2", {insn(0xc3, 1, 2, 0, 0x50)}},
      {"lock *(u32 *)(r1 + 0) ^= w2", {insn(0xc3, 1, 2, 0, 0xa0)}},
      {"r2 = atomic_fetch_add((u64 *)(r1 + 0), r2)", {insn(0xdb, 1, 2, 0, 0x01)}},
      {"r2 = atomic_fetch_and((u64 *)(r1 + 8), r2)", {insn(0xdb, 1, 2, 8, 0x51)}},
      {"r2 = atomic_fetch_or((u64 *)(r1 + 0), r2)", {insn(0xdb, 1, 2, 0, 0x41)}},
      {"w2 = atomic_fetch_xor((u32 *)(r1 + 0), w2)", {insn(0xc3, 1, 2, 0, 0xa1)}},
      {"r2 = xchg_64(r1 + 0, r2)", {insn(0xdb, 1, 2, 0, 0xe1)}},
      {"w2 = xchg32_32(r1 + 0, w2)", {insn(0xc3, 1, 2, 0, 0xe1)}},
      {"r0 = cmpxchg_64(r1 + 0, r0, r2)", {insn(0xdb, 1, 2, 0, 0xf1)}},
      {"w0 = cmpxchg32_32(r1 + 0, w0, w2)", {insn(0xc3, 1, 2, 0, 0xf1)}},
  });
}

TEST(PseudoCSyntax, BranchesAndCalls) {
  expect_cases({
      {"if r1 > r2 goto +3", {insn(0x2d, 1, 2, 3, 0)}},   // JMP|JGT|X
      {"if w1 s< 5 goto -2", {insn(0xc6, 1, 0, -2, 5)}},  // JMP32|JSLT|K
      {"if r1 & r2 goto +1", {insn(0x4d, 1, 2, 1, 0)}},   // JMP|JSET|X
      {"if r1 == 0 goto +0", {insn(0x15, 1, 0, 0, 0)}},   // JMP|JEQ|K
      {"if r1 != -1 goto +1", {insn(0x55, 1, 0, 1, -1)}},
      {"if r1 >= r2 goto +1", {insn(0x3d, 1, 2, 1, 0)}},
      {"if r1 < r2 goto +1", {insn(0xad, 1, 2, 1, 0)}},
      {"if r1 <= 4 goto +1", {insn(0xb5, 1, 0, 1, 4)}},
      {"if w1 s> w2 goto +1", {insn(0x6e, 1, 2, 1, 0)}},
      {"if r1 s>= 4 goto +1", {insn(0x75, 1, 0, 1, 4)}},
      {"if r1 s<= r2 goto +1", {insn(0xdd, 1, 2, 1, 0)}},
      {"goto +5", {insn(0x05, 0, 0, 5, 0)}},
      {"goto -32768", {insn(0x05, 0, 0, -32768, 0)}},
      {"gotol +70000", {insn(0x06, 0, 0, 0, 70000)}},  // JMP32|JA: offset in imm
      {"call 5", {insn(0x85, 0, 0, 0, 5)}},
      {"call pc+3", {insn(0x85, 0, 1, 0, 3)}},  // src 1: local call
      {"call pc-3", {insn(0x85, 0, 1, 0, -3)}},
      {"call kfunc 42", {insn(0x85, 0, 2, 0, 42)}},  // src 2: kfunc by BTF id
      {"callx r1", {insn(0x8d, 1, 0, 0, 0)}},        // register in dst
      {"exit", {insn(0x95, 0, 0, 0, 0)}},
  });
}

TEST(PseudoCSyntax, WideLoadsAndPseudoSources) {
  expect_cases({
      {"r1 = 0x1122334455667788 ll", lddw(1, 0, 0x55667788, 0x11223344)},
      {"r1 = 18446744073709551615ll", lddw(1, 0, -1, -1)},
      {"r1 = -9223372036854775807ll", lddw(1, 0, 1, INT32_MIN)},
      {"r1 = -0x8000000000000000 ll", lddw(1, 0, 0, INT32_MIN)},
      {"r1 = 5 ll", lddw(1, 0, 5, 0)},
      {"r1 = map[id:3]", lddw(1, 1, 3, 0)},
      {"r1 = map[id:3][0]+8", lddw(1, 2, 3, 8)},
      {"r1 = btf_id[42]", lddw(1, 3, 42, 0)},
      {"r1 = func[+3]", lddw(1, 4, 3, 0)},
      {"r1 = map[idx:3]", lddw(1, 5, 3, 0)},
      {"r1 = map[idx:3][0]+8", lddw(1, 6, 3, 8)},
      // PREVAIL test-data spellings.
      {"r1 = map_fd 1", lddw(1, 1, 1, 0)},
      {"r2 = map_val(1) + 8", lddw(2, 2, 1, 8)},
      {"r1 = map_by_idx(0)", lddw(1, 5, 0, 0)},
      {"r2 = mva(map_by_idx(0)) + 8", lddw(2, 6, 0, 8)},
  });
}

TEST(PseudoCSyntax, KernelLogAndPrevailSpellings) {
  expect_cases({
      {"12: (b7) r0 = 1", {insn(0xb7, 0, 0, 0, 1)}},  // index and opcode prefix are skipped
      {"3: (2d) if r1 > r2 goto pc+3", {insn(0x2d, 1, 2, 3, 0)}},
      {"goto pc-1", {insn(0x05, 0, 0, -1, 0)}},
      {"5: (85) call bpf_map_lookup_elem#1", {insn(0x85, 0, 0, 0, 1)}},
      {"call bpf_redirect#23 # a comment after it", {insn(0x85, 0, 0, 0, 23)}},
      {"*(u32 *)(r10 -4) = 7", {insn(0x62, 10, 0, -4, 7)}},
      {"r2 = atomic64_fetch_add((u64 *)(r1 +0), r2)", {insn(0xdb, 1, 2, 0, 0x01)}},
      {"r2 = atomic_fetch_or((u32 *)(r1 +0), r2)", {insn(0xc3, 1, 2, 0, 0x41)}},
      {"r2 = atomic64_xchg((u64 *)(r1 +0), r2)", {insn(0xdb, 1, 2, 0, 0xe1)}},
      {"r0 = atomic_cmpxchg((u32 *)(r1 +0), r0, r2)", {insn(0xc3, 1, 2, 0, 0xf1)}},
      {"if r1 > 0x2a goto +0x2 <L0>", {insn(0x25, 1, 0, 2, 42)}},  // llvm-objdump annotation
      {"lock *(u32 *)(r2 + 4) += r1 fetch", {insn(0xc3, 2, 1, 4, 0x01)}},
      {"lock *(u64 *)(r1 + 8) x= r5", {insn(0xdb, 1, 5, 8, 0xe1)}},
      {"lock *(u64 *)(r2 + 4) cx= r1", {insn(0xdb, 2, 1, 4, 0xf1)}},
      {"w2 s16= r1", {insn(0xbc, 2, 1, 16, 0)}},
      {"r2 s32= r1", {insn(0xbf, 2, 1, 32, 0)}},
      {"r1 = swap16 r1", {insn(0xd7, 1, 0, 0, 16)}},
      {"w1 = - w1", {insn(0x84, 1, 0, 0, 0)}},
      {"w1 = r1", {insn(0xbc, 1, 1, 0, 0)}},
      {"r3 += 4;", {insn(0x07, 3, 0, 0, 4)}},
  });
}

TEST(PseudoCSyntax, LabelsCommentsAndBlankLines) {
  const char* source = R"(
    ; a comment line
    # another
    // and another
    <start>:
      r0 = 0            ; trailing comment
    loop:
      r0 += 1           # trailing comment
      if r0 < 10 goto loop
      if r0 == 10 goto <done>  // trailing comment
      goto <start>
    <done>: exit
  )";
  const std::vector<Instruction> expected = {
      insn(0xb7, 0, 0, 0, 0),    // 0
      insn(0x07, 0, 0, 0, 1),    // 1: loop
      insn(0xa5, 0, 0, -2, 10),  // 2: back to 1
      insn(0x15, 0, 0, 1, 10),   // 3: to 5
      insn(0x05, 0, 0, -5, 0),   // 4: to 0
      insn(0x95, 0, 0, 0, 0),    // 5: done
  };
  EXPECT_EQ(assemble(source, AsmSyntax::PseudoC), expected);
  EXPECT_EQ(assemble(source), expected);
}

TEST(PseudoCSyntax, LabelsCountLddwAsTwoSlots) {
  const char* source = R"(
      r1 = 0x1 ll
      goto end
      r1 = func[sub]
    end:
      call sub
      call <sub>
      exit
    sub:
      exit
  )";
  const std::vector<Instruction> expected = {
      insn(0x18, 1, 0, 0, 1), insn(0, 0, 0, 0, 0),  // 0-1
      insn(0x05, 0, 0, 2, 0),                       // 2: to 5
      // 3-4: the kernel finds the function at insn_idx + imm + 1 = 3 + 4 + 1 = 8.
      insn(0x18, 1, 4, 0, 4), insn(0, 0, 0, 0, 0), insn(0x85, 0, 1, 0, 2),  // 5: to 8
      insn(0x85, 0, 1, 0, 1),                                               // 6: to 8
      insn(0x95, 0, 0, 0, 0),                                               // 7
      insn(0x95, 0, 0, 0, 0),                                               // 8: sub
  };
  EXPECT_EQ(assemble(source), expected);
}

}  // namespace
}  // namespace nicsim::ebpf
