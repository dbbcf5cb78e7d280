// JMP and JMP32: every condition in its register and immediate forms, signed against unsigned,
// 32-bit comparisons of the low halves only, immediates sign-extended to 64 bits; ja, gotol
// and backward jumps.

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "ebpf/interp/test/test_support.h"

namespace nicsim::ebpf::test {
namespace {

constexpr uint64_t kAllOnes = ~uint64_t{0};
constexpr uint64_t kInt64Min = uint64_t{1} << 63;

struct JumpCase {
  const char* name;
  uint8_t op;
  bool is32;
  uint64_t a;
  uint64_t b;
  bool taken;
};

// The immediate that stands for `b`: any low half for JMP32; for JMP only values whose
// sign extension gives `b` back.
std::optional<int32_t> immediate_for(const JumpCase& c) {
  const auto imm = static_cast<int32_t>(static_cast<uint32_t>(c.b));
  if (c.is32 || static_cast<uint64_t>(static_cast<int64_t>(imm)) == c.b) return imm;
  return std::nullopt;
}

// r0 = 1 when the jump is taken, 0 otherwise.
uint64_t run_jump(const JumpCase& c, bool immediate) {
  std::vector<Instruction> program;
  lddw(program, 1, c.a);
  lddw(program, 2, c.b);
  program.push_back(mov64_imm(0, 0));
  if (immediate) {
    const int32_t imm = *immediate_for(c);
    program.push_back(c.is32 ? jmp32_imm(c.op, 1, imm, 1) : jmp_imm(c.op, 1, imm, 1));
  } else {
    program.push_back(c.is32 ? jmp32_reg(c.op, 1, 2, 1) : jmp_reg(c.op, 1, 2, 1));
  }
  program.push_back(exit_insn());
  program.push_back(mov64_imm(0, 1));
  program.push_back(exit_insn());
  return r0_of(program);
}

TEST(InterpJump, Conditions) {
  const std::vector<JumpCase> cases = {
      {"jeq equal", kJmpJeq, false, 5, 5, true},
      {"jeq different", kJmpJeq, false, 5, 6, false},
      {"jeq32 equal low halves", kJmpJeq, true, 0x100000005, 5, true},
      {"jeq64 different upper halves", kJmpJeq, false, 0x100000005, 5, false},
      {"jeq imm sign-extended", kJmpJeq, false, 0xffffffff80000000, 0xffffffff80000000, true},
      {"jeq64 zero-extended value vs negative imm", kJmpJeq, false, 0x80000000, 0xffffffff80000000,
       false},
      {"jne equal", kJmpJne, false, 7, 7, false},
      {"jne different", kJmpJne, false, 7, 8, true},
      {"jne32 equal low halves", kJmpJne, true, 0xabc00000007, 7, false},
      {"jset no common bit", kJmpJset, false, 0b1010, 0b0100, false},
      {"jset common bit", kJmpJset, false, 0b1010, 0b0010, true},
      {"jset32 upper bits only", kJmpJset, true, 0x100000000, 0x100000000, false},
      {"jset64 upper bits", kJmpJset, false, 0x100000000, 0x100000000, true},
      {"jgt unsigned -1 > 1", kJmpJgt, false, kAllOnes, 1, true},
      {"jgt equal", kJmpJgt, false, 1, 1, false},
      {"jgt32 low halves", kJmpJgt, true, 0x100000000, 0xffffffff, false},
      {"jgt64 upper halves", kJmpJgt, false, 0x100000000, 0xffffffff, true},
      {"jge equal", kJmpJge, false, 1, 1, true},
      {"jge less", kJmpJge, false, 0, 1, false},
      {"jge32 unsigned", kJmpJge, true, 0xffffffff, 0, true},
      {"jlt unsigned 1 < -1", kJmpJlt, false, 1, kAllOnes, true},
      {"jlt unsigned -1 < 1", kJmpJlt, false, kAllOnes, 1, false},
      {"jlt32 low halves", kJmpJlt, true, 0xffffffff00000001, 2, true},
      {"jlt64 upper halves", kJmpJlt, false, 0xffffffff00000001, 2, false},
      {"jle equal", kJmpJle, false, 2, 2, true},
      {"jle greater", kJmpJle, false, 3, 2, false},
      {"jsgt -1 > 1", kJmpJsgt, false, kAllOnes, 1, false},
      {"jsgt 1 > -1", kJmpJsgt, false, 1, kAllOnes, true},
      {"jsgt32 INT_MIN > 0", kJmpJsgt, true, 0x80000000, 0, false},
      {"jsgt64 2^31 > 0", kJmpJsgt, false, 0x80000000, 0, true},
      {"jsge equal negative", kJmpJsge, false, kAllOnes, kAllOnes, true},
      {"jsge -2 >= -1", kJmpJsge, false, static_cast<uint64_t>(-2), kAllOnes, false},
      {"jsge32 -1 >= 0", kJmpJsge, true, 0xffffffff, 0, false},
      {"jslt INT_MIN < 0", kJmpJslt, false, kInt64Min, 0, true},
      {"jslt 0 < INT_MIN", kJmpJslt, false, 0, kInt64Min, false},
      {"jslt32 low half negative", kJmpJslt, true, 0xffffffff, 0, true},
      {"jslt64 0xffffffff positive", kJmpJslt, false, 0xffffffff, 0, false},
      {"jsle equal", kJmpJsle, false, kAllOnes, kAllOnes, true},
      {"jsle 0 <= -1", kJmpJsle, false, 0, kAllOnes, false},
      {"jsle32 INT_MIN <= INT_MAX", kJmpJsle, true, 0x80000000, 0x7fffffff, true},
  };
  for (const JumpCase& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(run_jump(c, false), c.taken ? 1u : 0u) << "register form";
    if (immediate_for(c)) {
      EXPECT_EQ(run_jump(c, true), c.taken ? 1u : 0u) << "immediate form";
    }
  }
}

TEST(InterpJump, BackwardLoopSumsOneToTen) {
  const auto program = code({
      mov64_imm(0, 0),
      mov64_imm(1, 10),
      alu64_reg(kAluAdd, 0, 1),  // 2: loop body
      alu64_imm(kAluSub, 1, 1),
      jmp_imm(kJmpJne, 1, 0, -3),  // back to 2
      exit_insn(),
  });
  const ExecutionResult result = run_raw(program);
  ASSERT_FALSE(result.aborted) << result.diagnostic;
  EXPECT_EQ(result.return_value, 55u);
  EXPECT_EQ(result.instructions, 2u + 10 * 3 + 1);
}

TEST(InterpJump, JaSkipsForward) {
  EXPECT_EQ(r0_of(code({mov64_imm(0, 1), ja(1), mov64_imm(0, 2), exit_insn()})), 1u);
}

TEST(InterpJump, GotolUsesTheImmediate) {
  // gotol +2 over two movs, then gotol -4 back to the first one (which exits with 7).
  const auto program = code({
      gotol(3),         // 0 -> 4
      mov64_imm(0, 7),  // 1
      exit_insn(),      // 2
      mov64_imm(0, 9),  // 3 (skipped)
      gotol(-4),        // 4 -> 1
  });
  EXPECT_EQ(r0_of(program), 7u);
}

TEST(InterpJump, JumpOverLddwLandsAfterBothSlots) {
  std::vector<Instruction> program = {mov64_imm(0, 3), ja(2)};
  lddw(program, 0, 0x1234);
  program.push_back(exit_insn());
  EXPECT_EQ(r0_of(program), 3u);
}

TEST(InterpJump, RunningPastTheLastInstructionFaults) {
  // The decoding rules do not require a final exit; the interpreter must stop, not overrun.
  ExecutionResult result = run_raw(code({mov64_imm(0, 1)}));
  ASSERT_TRUE(result.aborted);
  EXPECT_EQ(result.diagnostic, "insn 1: execution ran past the last instruction");
  result = run_raw(code({mov64_imm(0, 1), jmp_imm(kJmpJeq, 0, 2, -2)}));  // not taken
  ASSERT_TRUE(result.aborted);
  EXPECT_EQ(result.diagnostic, "insn 2: execution ran past the last instruction");
  std::vector<Instruction> program = {mov64_imm(0, 0)};
  lddw(program, 1, 7);
  result = run_raw(program);
  ASSERT_TRUE(result.aborted);
  EXPECT_EQ(result.diagnostic, "insn 3: execution ran past the last instruction");
}

}  // namespace
}  // namespace nicsim::ebpf::test
