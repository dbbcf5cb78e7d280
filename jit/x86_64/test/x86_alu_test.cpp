// ALU and ALU64 on the JIT against the interpreter, for every operation, both widths, both
// operand sources and every combination of destination and source register: x86 fixes some
// operands (rax/rdx for division, cl for shifts) and those are r0, r3 and r4 here, so each
// program also checks that no other register is disturbed.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "jit/x86_64/test/jit_test_support.h"
#include "jit/x86_64/test/program_builder.h"

namespace nicsim::jit::test {
namespace {

constexpr uint64_t kEdgeValues[] = {0,
                                    1,
                                    2,
                                    3,
                                    0x7f,
                                    0x80,
                                    0xff,
                                    0x7fff,
                                    0x8000,
                                    0xffff,
                                    0x7fffffff,
                                    0x80000000,
                                    0xffffffff,
                                    0x100000000,
                                    0x7fffffffffffffff,
                                    0x8000000000000000,
                                    0xffffffffffffffff,
                                    0xfffffffffffffffe,
                                    0xffffffff80000000,
                                    0x123456789abcdef0,
                                    31,
                                    32,
                                    63,
                                    64,
                                    65,
                                    0xfedcba9876543210,
                                    0x00000000fffffffe,
                                    0xffffffff00000001};

// Sets every register r0..r9 to a distinct value, then dst = a and src = b, runs `op`, and
// writes all ten registers to the memory r1 pointed to (80 bytes).
std::vector<ebpf::Instruction> register_file_program(const ProgramBuilder& op_only, int dst,
                                                     int src, uint64_t a, uint64_t b) {
  ProgramBuilder p;
  p.stx(kSizeDw, 10, 1, -8);
  for (int r = 0; r <= 9; ++r)
    p.lddw(r, 0x0101010101010101ull * static_cast<uint64_t>(r + 1) + 0x10);
  p.lddw(src, b);
  p.lddw(dst, a);  // dst wins when dst == src
  for (const auto& insn : op_only.build())
    p.raw(insn);
  for (int r = 0; r <= 9; ++r)
    p.stx(kSizeDw, 10, r, static_cast<int16_t>(-16 - 8 * r));
  p.ldx(kSizeDw, 1, 10, -8);
  for (int r = 0; r <= 9; ++r) {
    p.ldx(kSizeDw, 2, 10, static_cast<int16_t>(-16 - 8 * r));
    p.stx(kSizeDw, 1, 2, static_cast<int16_t>(8 * r));
  }
  p.mov64(0, 0).exit();
  return p.build();
}

struct AluCase {
  const char* name;
  uint8_t op;
  int16_t offset;  // 1: signed division; 8/16/32: movsx
};

constexpr AluCase kBinaryOps[] = {{"add", kAluAdd, 0},   {"sub", kAluSub, 0},  {"mul", kAluMul, 0},
                                  {"div", kAluDiv, 0},   {"sdiv", kAluDiv, 1}, {"mod", kAluMod, 0},
                                  {"smod", kAluMod, 1},  {"or", kAluOr, 0},    {"and", kAluAnd, 0},
                                  {"xor", kAluXor, 0},   {"lsh", kAluLsh, 0},  {"rsh", kAluRsh, 0},
                                  {"arsh", kAluArsh, 0}, {"mov", kAluMov, 0}};

void PrintTo(const AluCase& c, std::ostream* out) {
  *out << c.name;
}

void check(const std::vector<ebpf::Instruction>& insns, const std::string& what) {
  SCOPED_TRACE(what);
  expect_same(insns, {raw_input(std::vector<uint8_t>(80, 0))});
}

class X86Alu : public ::testing::TestWithParam<AluCase> {
 protected:
  void SetUp() override { NICSIM_REQUIRE_X86_64_HOST(); }
};

TEST_P(X86Alu, RegisterSourceEveryRegisterPair) {
  const AluCase& c = GetParam();
  for (bool is64 : {false, true}) {
    for (int dst = 0; dst <= 9; ++dst) {
      for (int src = 0; src <= 9; ++src) {
        ProgramBuilder op;
        if (is64)
          op.alu64r(c.op, dst, src, c.offset);
        else
          op.alu32r(c.op, dst, src, c.offset);
        // Divisors and shift counts that exercise the special cases.
        for (uint64_t b : {uint64_t{0}, ~uint64_t{0}, uint64_t{7}, uint64_t{0x41}}) {
          check(register_file_program(op, dst, src, 0x8000000000000000ull | 0x80000000ull, b),
                fmt::format("{}{} r{}, r{} with src {:#x}", c.name, is64 ? 64 : 32, dst, src, b));
        }
      }
    }
  }
}

TEST_P(X86Alu, RegisterSourceEdgeValues) {
  const AluCase& c = GetParam();
  for (bool is64 : {false, true}) {
    ProgramBuilder op;
    if (is64)
      op.alu64r(c.op, 3, 4, c.offset);
    else
      op.alu32r(c.op, 3, 4, c.offset);
    for (uint64_t a : kEdgeValues) {
      for (uint64_t b : kEdgeValues) {
        check(register_file_program(op, 3, 4, a, b),
              fmt::format("{}{} {:#x}, {:#x}", c.name, is64 ? 64 : 32, a, b));
      }
    }
  }
}

TEST_P(X86Alu, ImmediateSourceEdgeValues) {
  const AluCase& c = GetParam();
  const int32_t immediates[] = {0,  1,   -1,   2,          7,         31,         32,          63,
                                64, 127, -128, 0x7fffffff, INT32_MIN, 0x12345678, -0x12345678, 100};
  for (bool is64 : {false, true}) {
    for (int dst : {0, 3, 4, 6}) {
      for (int32_t imm : immediates) {
        ProgramBuilder op;
        if (is64)
          op.alu64(c.op, dst, imm, c.offset);
        else
          op.alu32(c.op, dst, imm, c.offset);
        for (uint64_t a : {uint64_t{0}, uint64_t{0x8000000000000000}, uint64_t{0xffffffff80000000},
                           uint64_t{0x123456789abcdef0}, ~uint64_t{0}}) {
          check(register_file_program(op, dst, dst == 0 ? 1 : 0, a, 0),
                fmt::format("{}{} r{}, {} with dst {:#x}", c.name, is64 ? 64 : 32, dst, imm, a));
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Ops, X86Alu, ::testing::ValuesIn(kBinaryOps),
                         [](const auto& info) { return std::string(info.param.name); });

class X86AluUnary : public ::testing::Test {
 protected:
  void SetUp() override { NICSIM_REQUIRE_X86_64_HOST(); }
};

TEST_F(X86AluUnary, NegMovsxAndByteSwapsOnEveryRegister) {
  for (int dst = 0; dst <= 9; ++dst) {
    for (uint64_t a : kEdgeValues) {
      std::vector<std::pair<std::string, ProgramBuilder>> ops;
      ops.emplace_back("neg64", ProgramBuilder().raw(make_insn(
                                    kClassAlu64 | kAluNeg, static_cast<uint8_t>(dst), 0, 0, 0)));
      ops.emplace_back("neg32", ProgramBuilder().raw(make_insn(
                                    kClassAlu | kAluNeg, static_cast<uint8_t>(dst), 0, 0, 0)));
      for (int32_t bits : {16, 32, 64}) {
        ops.emplace_back(fmt::format("le{}", bits),
                         ProgramBuilder().end(kClassAlu, kSrcK, dst, bits));
        ops.emplace_back(fmt::format("be{}", bits),
                         ProgramBuilder().end(kClassAlu, kSrcX, dst, bits));
        ops.emplace_back(fmt::format("bswap{}", bits),
                         ProgramBuilder().end(kClassAlu64, kSrcK, dst, bits));
      }
      for (auto& [name, op] : ops)
        check(register_file_program(op, dst, dst, a, a),
              fmt::format("{} r{} = {:#x}", name, dst, a));
    }
  }
}

TEST_F(X86AluUnary, MovsxEveryRegisterPair) {
  for (int dst = 0; dst <= 9; ++dst) {
    for (int src = 0; src <= 9; ++src) {
      for (uint64_t b : {uint64_t{0x80}, uint64_t{0x7f}, uint64_t{0xffff8000}, uint64_t{0x80000000},
                         uint64_t{0x1234567880818283}}) {
        for (int16_t bits : {8, 16, 32}) {
          ProgramBuilder op64;
          op64.alu64r(kAluMov, dst, src, bits);
          check(register_file_program(op64, dst, src, ~uint64_t{0}, b),
                fmt::format("movsx64 r{}, r{}, {} of {:#x}", dst, src, bits, b));
          if (bits == 32) continue;
          ProgramBuilder op32;
          op32.alu32r(kAluMov, dst, src, bits);
          check(register_file_program(op32, dst, src, ~uint64_t{0}, b),
                fmt::format("movsx32 r{}, r{}, {} of {:#x}", dst, src, bits, b));
        }
      }
    }
  }
}

// Independent of the interpreter: the ISA's defined results for the cases x86 would trap on
// or treat differently.
TEST_F(X86AluUnary, DivisionSpecialCasesFollowTheIsa) {
  struct Case {
    std::vector<ebpf::Instruction> insns;
    uint64_t expected;
  };
  const uint64_t int64_min = 0x8000000000000000ull;
  const std::vector<Case> cases = {
      {ProgramBuilder().lddw(0, 1234).mov64(1, 0).alu64r(kAluDiv, 0, 1).exit().build(), 0},
      {ProgramBuilder().lddw(0, 1234).mov64(1, 0).alu64r(kAluMod, 0, 1).exit().build(), 1234},
      {ProgramBuilder()
           .lddw(0, 0xffffffff00001234)
           .mov64(1, 0)
           .alu32r(kAluMod, 0, 1)
           .exit()
           .build(),
       0x1234},
      {ProgramBuilder().lddw(0, int64_min).mov64(1, -1).alu64r(kAluDiv, 0, 1, 1).exit().build(),
       int64_min},
      {ProgramBuilder().lddw(0, int64_min).mov64(1, -1).alu64r(kAluMod, 0, 1, 1).exit().build(), 0},
      {ProgramBuilder().lddw(0, 0x80000000).alu32(kAluDiv, 0, -1, 1).exit().build(), 0x80000000},
      {ProgramBuilder().lddw(0, 0x80000000).alu32(kAluMod, 0, -1, 1).exit().build(), 0},
      {ProgramBuilder().lddw(0, int64_min).alu64(kAluDiv, 0, 0, 1).exit().build(), 0},
      {ProgramBuilder().lddw(0, ~uint64_t{0}).alu64(kAluDiv, 0, -1).exit().build(), 1},  // unsigned
      {ProgramBuilder().mov64(0, -7).alu64(kAluMod, 0, 2, 1).exit().build(), ~uint64_t{0}},  // -1
      {ProgramBuilder().mov64(0, 1).mov64(4, 65).alu64r(kAluLsh, 0, 4).exit().build(), 2},
      {ProgramBuilder()
           .lddw(0, 0xffffffff00000001)
           .mov64(3, 32)
           .alu32r(kAluLsh, 0, 3)
           .exit()
           .build(),
       1},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    JitRun run(cases[i].insns);
    const ebpf::ExecutionResult result = run.raw();
    ASSERT_FALSE(result.aborted) << result.diagnostic;
    EXPECT_EQ(result.return_value, cases[i].expected) << "case " << i;
  }
}

}  // namespace
}  // namespace nicsim::jit::test
