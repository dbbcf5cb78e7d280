// ALU and ALU64: every operation in its 32/64-bit and immediate/register forms, with the edge
// cases of RFC 9669 (zero-extension of 32-bit results, division by zero, INT_MIN / -1, shift
// counts masked to the width, sign extension of immediates). Expected values are worked out
// by hand from the RFC's definitions.

#include "ebpf/interp/alu.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ebpf/interp/test/test_support.h"

namespace nicsim::ebpf::test {
namespace {

constexpr uint64_t kAllOnes = ~uint64_t{0};
constexpr uint64_t kInt64Min = uint64_t{1} << 63;

struct AluCase {
  std::string name;
  Instruction insn;  // operates on r0 (dst) and r1 (src)
  uint64_t r0;
  uint64_t r1;
  uint64_t expected;
};

void run_cases(const std::vector<AluCase>& cases) {
  for (const AluCase& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<Instruction> program;
    lddw(program, 0, c.r0);
    lddw(program, 1, c.r1);
    program.push_back(c.insn);
    program.push_back(exit_insn());
    EXPECT_EQ(r0_of(program), c.expected) << std::hex << "r0=0x" << c.r0 << " r1=0x" << c.r1;
  }
}

TEST(InterpAlu, AddSubMul) {
  run_cases({
      {"add32 wraps to zero", alu32_imm(kAluAdd, 0, 1), 0xffffffffffffffff, 0, 0},
      {"add32 drops the upper half", alu32_imm(kAluAdd, 0, 1), 0x1234567800000001, 0, 2},
      {"add32 imm -1", alu32_imm(kAluAdd, 0, -1), 0, 0, 0xffffffff},
      {"add64 imm is sign-extended", alu64_imm(kAluAdd, 0, -1), 0, 0, kAllOnes},
      {"add64 reg carries", alu64_reg(kAluAdd, 0, 1), 0xffffffff, 1, 0x100000000},
      {"add32 reg no carry out", alu32_reg(kAluAdd, 0, 1), 0xffffffff, 1, 0},
      {"sub64 reg below zero", alu64_reg(kAluSub, 0, 1), 0, 1, kAllOnes},
      {"sub32 reg below zero", alu32_reg(kAluSub, 0, 1), 1, 2, 0xffffffff},
      {"sub64 imm", alu64_imm(kAluSub, 0, 5), 3, 0, 0xfffffffffffffffe},
      {"mul64 overflow wraps", alu64_imm(kAluMul, 0, 2), kInt64Min, 0, 0},
      {"mul32 reg 2^16*2^16", alu32_reg(kAluMul, 0, 1), 0x10000, 0x10000, 0},
      {"mul64 imm -1", alu64_imm(kAluMul, 0, -1), 3, 0, 0xfffffffffffffffd},
      {"mul32 imm -1", alu32_imm(kAluMul, 0, -1), 3, 0, 0xfffffffd},
      {"mul32 INT_MIN * -1", alu32_imm(kAluMul, 0, -1), 0x80000000, 0, 0x80000000},
      {"mul64 INT_MIN * -1", alu64_reg(kAluMul, 0, 1), kInt64Min, kAllOnes, kInt64Min},
  });
}

TEST(InterpAlu, UnsignedDivMod) {
  run_cases({
      {"div64 reg", alu64_reg(kAluDiv, 0, 1), 100, 7, 14},
      {"div64 by zero is zero", alu64_reg(kAluDiv, 0, 1), 100, 0, 0},
      {"div64 imm -1 is 2^64-1", alu64_imm(kAluDiv, 0, -1), 0xfffffffffffffffe, 0, 0},
      {"div32 uses the low half of src", alu32_reg(kAluDiv, 0, 1), 12, 0x100000004, 3},
      {"div32 imm -1 is 2^32-1", alu32_imm(kAluDiv, 0, -1), 0xffffffff, 0, 1},
      {"div32 by zero clears everything", alu32_reg(kAluDiv, 0, 1), 0xffffffff00000005, 0, 0},
      {"div32 ignores the dividend's upper half", alu32_imm(kAluDiv, 0, 2), 0x100000008, 0, 4},
      {"mod64 reg", alu64_reg(kAluMod, 0, 1), 100, 7, 2},
      {"mod64 by zero leaves dst", alu64_reg(kAluMod, 0, 1), 0xdeadbeefcafebabe, 0,
       0xdeadbeefcafebabe},
      {"mod32 by zero zero-extends dst", alu32_reg(kAluMod, 0, 1), 0xdeadbeefcafebabe, 0,
       0xcafebabe},
      {"mod32 uses low halves", alu32_reg(kAluMod, 0, 1), 0x100000007, 0x200000005, 2},
      {"mod64 imm", alu64_imm(kAluMod, 0, 10), 1234, 0, 4},
  });
}

TEST(InterpAlu, SignedDivMod) {
  constexpr int16_t kSigned = 1;
  run_cases({
      {"sdiv64 truncates toward zero", alu64_imm(kAluDiv, 0, 2, kSigned), static_cast<uint64_t>(-7),
       0, static_cast<uint64_t>(-3)},
      {"sdiv64 positive by negative", alu64_imm(kAluDiv, 0, -2, kSigned), 7, 0,
       static_cast<uint64_t>(-3)},
      {"sdiv64 negative by negative", alu64_reg(kAluDiv, 0, 1, kSigned), static_cast<uint64_t>(-7),
       static_cast<uint64_t>(-2), 3},
      {"sdiv64 INT_MIN / -1 wraps", alu64_reg(kAluDiv, 0, 1, kSigned), kInt64Min, kAllOnes,
       kInt64Min},
      {"sdiv64 by zero is zero", alu64_reg(kAluDiv, 0, 1, kSigned), static_cast<uint64_t>(-7), 0,
       0},
      {"sdiv32 zero-extends", alu32_imm(kAluDiv, 0, 2, kSigned), static_cast<uint64_t>(-7), 0,
       0xfffffffd},
      {"sdiv32 ignores upper halves", alu32_reg(kAluDiv, 0, 1, kSigned), 0x1fffffff9, 0x700000002,
       0xfffffffd},
      {"sdiv32 INT_MIN / -1 wraps", alu32_imm(kAluDiv, 0, -1, kSigned), 0x80000000, 0, 0x80000000},
      {"sdiv32 by zero is zero", alu32_reg(kAluDiv, 0, 1, kSigned), 0xffffffff80000000, 0, 0},
      {"smod64 sign of dividend", alu64_imm(kAluMod, 0, 2, kSigned), static_cast<uint64_t>(-7), 0,
       kAllOnes},
      {"smod64 positive by negative", alu64_imm(kAluMod, 0, -2, kSigned), 7, 0, 1},
      {"smod64 negative by negative", alu64_reg(kAluMod, 0, 1, kSigned), static_cast<uint64_t>(-7),
       static_cast<uint64_t>(-2), kAllOnes},
      {"smod64 INT_MIN % -1 is zero", alu64_imm(kAluMod, 0, -1, kSigned), kInt64Min, 0, 0},
      {"smod64 by zero leaves dst", alu64_reg(kAluMod, 0, 1, kSigned), static_cast<uint64_t>(-10),
       0, static_cast<uint64_t>(-10)},
      {"smod32 by zero zero-extends", alu32_reg(kAluMod, 0, 1, kSigned), static_cast<uint64_t>(-10),
       0, 0xfffffff6},
      {"smod32 sign of dividend", alu32_imm(kAluMod, 0, 2, kSigned), static_cast<uint64_t>(-7), 0,
       0xffffffff},
      {"smod32 INT_MIN % -1 is zero", alu32_imm(kAluMod, 0, -1, kSigned), 0x80000000, 0, 0},
  });
}

TEST(InterpAlu, Bitwise) {
  run_cases({
      {"or64 imm sign-extends", alu64_imm(kAluOr, 0, -65536), 0, 0, 0xffffffffffff0000},
      {"or32 imm", alu32_imm(kAluOr, 0, 0x0f), 0xffffffff000000f0, 0, 0xff},
      {"and32 imm clears the upper half", alu32_imm(kAluAnd, 0, 0xff), 0xffffffffffff1234, 0, 0x34},
      {"and64 imm -1 keeps all", alu64_imm(kAluAnd, 0, -1), 0x8000000000000001, 0,
       0x8000000000000001},
      {"and64 reg", alu64_reg(kAluAnd, 0, 1), 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0,
       0x0f000f000f000f00},
      {"xor64 reg", alu64_reg(kAluXor, 0, 1), 0xaaaaaaaaaaaaaaaa, kAllOnes, 0x5555555555555555},
      {"xor32 reg", alu32_reg(kAluXor, 0, 1), 0xaaaaaaaaaaaaaaaa, kAllOnes, 0x55555555},
  });
}

TEST(InterpAlu, Shifts) {
  run_cases({
      {"lsh64 by 63", alu64_imm(kAluLsh, 0, 63), 1, 0, kInt64Min},
      {"lsh64 by 64 is masked to 0", alu64_reg(kAluLsh, 0, 1), 0x123, 64, 0x123},
      {"lsh64 by 65 is masked to 1", alu64_reg(kAluLsh, 0, 1), 0x123, 65, 0x246},
      {"lsh32 by 32 is masked to 0", alu32_reg(kAluLsh, 0, 1), 0xaaaabbbb00000001, 32, 1},
      {"lsh32 by 31", alu32_imm(kAluLsh, 0, 31), 3, 0, 0x80000000},
      {"lsh32 drops bits past 32", alu32_imm(kAluLsh, 0, 4), 0xf0000001, 0, 0x10},
      {"rsh64 by 63", alu64_imm(kAluRsh, 0, 63), kInt64Min, 0, 1},
      {"rsh64 by 65 is masked to 1", alu64_reg(kAluRsh, 0, 1), 0x10, 65, 8},
      {"rsh32 ignores the upper half", alu32_imm(kAluRsh, 0, 31), 0xffffffff80000000, 0, 1},
      {"rsh32 by 32 is masked to 0", alu32_reg(kAluRsh, 0, 1), 0x1234567887654321, 32, 0x87654321},
      {"arsh64 negative", alu64_imm(kAluArsh, 0, 2), static_cast<uint64_t>(-16), 0,
       static_cast<uint64_t>(-4)},
      {"arsh64 INT_MIN by 63", alu64_reg(kAluArsh, 0, 1), kInt64Min, 63, kAllOnes},
      {"arsh64 by 64 is masked to 0", alu64_reg(kAluArsh, 0, 1), kInt64Min, 64, kInt64Min},
      {"arsh32 sign of bit 31", alu32_imm(kAluArsh, 0, 31), 0x80000000, 0, 0xffffffff},
      {"arsh32 ignores the upper half", alu32_imm(kAluArsh, 0, 4), 0x180000000, 0, 0xf8000000},
      {"arsh32 by 33 is masked to 1", alu32_reg(kAluArsh, 0, 1), 0x80000000, 33, 0xc0000000},
      {"arsh32 positive", alu32_imm(kAluArsh, 0, 4), 0xffffffff70000000, 0, 0x07000000},
  });
}

TEST(InterpAlu, NegAndMov) {
  run_cases({
      {"neg64 of 1", neg64(0), 1, 0, kAllOnes},
      {"neg64 of INT_MIN", neg64(0), kInt64Min, 0, kInt64Min},
      {"neg64 of 0", neg64(0), 0, 0, 0},
      {"neg32 of 1", neg32(0), 1, 0, 0xffffffff},
      {"neg32 of INT_MIN", neg32(0), 0x80000000, 0, 0x80000000},
      {"neg32 of the upper half only", neg32(0), 0x500000000, 0, 0},
      {"mov64 imm -1 sign-extends", mov64_imm(0, -1), 0, 0, kAllOnes},
      {"mov32 imm -1 zero-extends", mov32_imm(0, -1), kAllOnes, 0, 0xffffffff},
      {"mov32 reg zero-extends", mov32_reg(0, 1), 0, kAllOnes, 0xffffffff},
      {"mov64 reg", mov64_reg(0, 1), 0, 0x8000000000000001, 0x8000000000000001},
  });
}

TEST(InterpAlu, MovSignExtend) {
  run_cases({
      {"movsx64 8 negative", movsx64(0, 1, 8), 0, 0x80, 0xffffffffffffff80},
      {"movsx64 8 positive", movsx64(0, 1, 8), 0, 0x7f, 0x7f},
      {"movsx64 8 ignores upper bits", movsx64(0, 1, 8), 0, 0x1234567812345680, 0xffffffffffffff80},
      {"movsx64 16", movsx64(0, 1, 16), 0, 0x8000, 0xffffffffffff8000},
      {"movsx64 16 positive", movsx64(0, 1, 16), 0, 0xffff7fff, 0x7fff},
      {"movsx64 32", movsx64(0, 1, 32), 0, 0x80000000, 0xffffffff80000000},
      {"movsx64 32 positive", movsx64(0, 1, 32), 0, 0xffffffff7fffffff, 0x7fffffff},
      {"movsx32 8 zero-extends the 32-bit result", movsx32(0, 1, 8), kAllOnes, 0x80, 0xffffff80},
      {"movsx32 16", movsx32(0, 1, 16), 0, 0xffffffff00008000, 0xffff8000},
      {"movsx32 16 positive", movsx32(0, 1, 16), 0, 0x12345, 0x2345},
  });
}

TEST(InterpAlu, ByteOrder) {
  constexpr uint64_t v = 0x1122334455667788;
  run_cases({
      {"le16 truncates", le(0, 16), v, 0, 0x7788},
      {"le32 truncates", le(0, 32), v, 0, 0x55667788},
      {"le64 is the identity", le(0, 64), v, 0, v},
      {"be16", be(0, 16), v, 0, 0x8877},
      {"be32", be(0, 32), v, 0, 0x88776655},
      {"be64", be(0, 64), v, 0, 0x8877665544332211},
      {"bswap16", bswap(0, 16), v, 0, 0x8877},
      {"bswap32", bswap(0, 32), v, 0, 0x88776655},
      {"bswap64", bswap(0, 64), v, 0, 0x8877665544332211},
  });
}

TEST(InterpAlu, Lddw) {
  std::vector<Instruction> program;
  lddw(program, 0, 0x1122334455667788);
  program.push_back(exit_insn());
  EXPECT_EQ(r0_of(program), 0x1122334455667788u);
  // The lower half alone is not sign-extended into the upper one.
  program.clear();
  lddw(program, 0, 0x00000000ffffffff);
  program.push_back(exit_insn());
  EXPECT_EQ(r0_of(program), 0xffffffffu);
}

TEST(InterpAlu, OperandAliasing) {
  // dst == src: the source is read before the destination is written.
  run_cases({
      {"add64 r0, r0 doubles", alu64_reg(kAluAdd, 0, 0), 21, 0, 42},
      {"sub64 r0, r0 is zero", alu64_reg(kAluSub, 0, 0), 0x1234, 0, 0},
      {"div64 r0, r0 is one", alu64_reg(kAluDiv, 0, 0), 0x1234, 0, 1},
  });
}

// The pure functions directly, at compile time: the cases that would be UB in plain C++.
static_assert(interp::alu::sdiv64(kInt64Min, kAllOnes) == kInt64Min);
static_assert(interp::alu::smod64(kInt64Min, kAllOnes) == 0);
static_assert(interp::alu::sdiv32(0x80000000u, 0xffffffffu) == 0x80000000u);
static_assert(interp::alu::smod32(0x80000000u, 0xffffffffu) == 0);
static_assert(interp::alu::lsh64(1, 64) == 1);
static_assert(interp::alu::arsh32(0x80000000u, 32) == 0x80000000u);
static_assert(interp::alu::div64(5, 0) == 0 && interp::alu::mod64(5, 0) == 5);

}  // namespace
}  // namespace nicsim::ebpf::test
