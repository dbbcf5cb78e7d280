#include "ebpf/isa/validate.h"

#include <gtest/gtest.h>

#include <vector>

namespace nicsim::ebpf {
namespace {

constexpr uint8_t kMov64Imm = kClassAlu64 | kAluMov | kSrcK;
constexpr uint8_t kExit = kClassJmp | kJmpExit;
constexpr uint8_t kLddw = kClassLd | kModeImm | kSizeDw;

std::string reason(const std::vector<Instruction>& insns, size_t index) {
  return check_instruction(insns, index);
}

TEST(Validate, AcceptsMinimalProgram) {
  std::vector<Instruction> prog = {make_insn(kMov64Imm, 0, 0, 0, 2), make_insn(kExit, 0, 0, 0, 0)};
  EXPECT_NO_THROW(validate_instructions(prog));
}

TEST(Validate, RejectsEmptyProgram) {
  EXPECT_THROW(validate_instructions(std::vector<Instruction>{}), DecodeError);
}

TEST(Validate, NamesInstructionIndexAndField) {
  std::vector<Instruction> prog = {make_insn(kMov64Imm, 0, 0, 0, 2),
                                   make_insn(kMov64Imm, 11, 0, 0, 2),
                                   make_insn(kExit, 0, 0, 0, 0)};
  try {
    validate_instructions(prog);
    FAIL() << "expected a DecodeError";
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.index(), 1u);
    EXPECT_STREQ(e.what(), "insn 1: invalid dst register r11 (registers are r0..r10)");
  }
}

TEST(Validate, RejectsWritesToFramePointer) {
  std::vector<Instruction> prog = {make_insn(kMov64Imm, 10, 0, 0, 0), make_insn(kExit, 0, 0, 0, 0)};
  EXPECT_NE(reason(prog, 0).find("read-only frame pointer"), std::string::npos);
}

TEST(Validate, RejectsUndefinedAluOperations) {
  std::vector<Instruction> prog = {make_insn(kClassAlu64 | 0xe0, 0, 0, 0, 0),
                                   make_insn(kExit, 0, 0, 0, 0)};
  EXPECT_EQ(reason(prog, 0), "invalid ALU operation 0xe0");
}

TEST(Validate, ChecksReservedFields) {
  std::vector<Instruction> prog = {make_insn(kMov64Imm, 0, 3, 0, 1), make_insn(kExit, 0, 0, 0, 0)};
  EXPECT_NE(reason(prog, 0).find("nonzero src field"), std::string::npos);
  prog[0] = make_insn(kClassAlu64 | kAluAdd | kSrcX, 0, 1, 0, 7);
  EXPECT_NE(reason(prog, 0).find("nonzero imm field"), std::string::npos);
  prog[0] = make_insn(kExit, 0, 0, 0, 1);
  EXPECT_EQ(reason(prog, 0), "nonzero field in EXIT");
}

TEST(Validate, SignedDivisionAndMovsxOffsets) {
  std::vector<Instruction> prog = {make_insn(kClassAlu64 | kAluDiv | kSrcK, 0, 0, 1, 3),
                                   make_insn(kExit, 0, 0, 0, 0)};
  EXPECT_EQ(reason(prog, 0), "");
  prog[0].offset = 2;
  EXPECT_NE(reason(prog, 0).find("invalid offset 2"), std::string::npos);
  prog[0] = make_insn(kClassAlu64 | kAluMov | kSrcX, 0, 1, 32, 0);
  EXPECT_EQ(reason(prog, 0), "");
  prog[0] = make_insn(kClassAlu | kAluMov | kSrcX, 0, 1, 32, 0);
  EXPECT_NE(reason(prog, 0).find("invalid MOVSX width 32"), std::string::npos);
  prog[0] = make_insn(kClassAlu64 | kAluMov | kSrcK, 0, 0, 8, 1);
  EXPECT_EQ(reason(prog, 0), "MOVSX needs a register source");
}

TEST(Validate, ByteSwaps) {
  std::vector<Instruction> prog = {make_insn(kClassAlu64 | kAluEnd, 0, 0, 0, 32),
                                   make_insn(kExit, 0, 0, 0, 0)};
  EXPECT_EQ(reason(prog, 0), "");
  prog[0].imm = 24;
  EXPECT_NE(reason(prog, 0).find("invalid byte swap width 24"), std::string::npos);
  prog[0] = make_insn(kClassAlu64 | kAluEnd | kSrcX, 0, 0, 0, 16);
  EXPECT_NE(reason(prog, 0).find("ALU64 END must use source 0"), std::string::npos);
}

TEST(Validate, JumpTargets) {
  std::vector<Instruction> prog = {make_insn(kClassJmp | kJmpJa, 0, 0, 1, 0),
                                   make_insn(kLddw, 0, 0, 0, 1), make_insn(0, 0, 0, 0, 0),
                                   make_insn(kExit, 0, 0, 0, 0)};
  EXPECT_EQ(reason(prog, 0), "jump into the middle of lddw at insn 1");
  prog[0].offset = 5;
  EXPECT_NE(reason(prog, 0).find("jump out of range"), std::string::npos);
  prog[0].offset = 2;
  EXPECT_EQ(reason(prog, 0), "");
  // gotol takes its offset from imm and requires offset 0.
  prog[0] = make_insn(kClassJmp32 | kJmpJa, 0, 0, 0, 2);
  EXPECT_EQ(reason(prog, 0), "");
  prog[0].offset = 1;
  EXPECT_NE(reason(prog, 0).find("gotol uses imm"), std::string::npos);
}

TEST(Validate, LddwNeedsWellFormedSecondSlot) {
  std::vector<Instruction> prog = {make_insn(kLddw, 1, 0, 0, 1)};
  EXPECT_EQ(reason(prog, 0), "lddw is missing its second slot");
  prog.push_back(make_insn(0x07, 0, 0, 0, 0));
  EXPECT_NE(reason(prog, 0).find("invalid second slot"), std::string::npos);
  prog[0] = make_insn(kLddw, 1, 7, 0, 1);
  EXPECT_EQ(reason(prog, 0), "invalid src field 7 in lddw");
}

TEST(Validate, Atomics) {
  std::vector<Instruction> prog = {
      make_insn(kClassStx | kModeAtomic | kSizeDw, 10, 1, -8, kAtomicCmpxchg),
      make_insn(kExit, 0, 0, 0, 0)};
  EXPECT_EQ(reason(prog, 0), "");
  prog[0].imm = 0x10;
  EXPECT_EQ(reason(prog, 0), "invalid atomic operation 0x10");
  prog[0] = make_insn(kClassStx | kModeAtomic | kSizeB, 10, 1, -8, kAtomicAdd);
  EXPECT_EQ(reason(prog, 0), "atomic operations are 32 or 64 bit");
}

TEST(Validate, CallForms) {
  std::vector<Instruction> prog = {make_insn(kClassJmp | kJmpCall, 0, kCallLocal, 0, 1),
                                   make_insn(kExit, 0, 0, 0, 0), make_insn(kExit, 0, 0, 0, 0)};
  EXPECT_EQ(reason(prog, 0), "");
  prog[0].imm = 7;
  EXPECT_NE(reason(prog, 0).find("jump out of range"), std::string::npos);
  prog[0] = make_insn(kClassJmp | kJmpCall | kSrcX, 2, 0, 0, 0);
  EXPECT_EQ(reason(prog, 0), "");
  prog[0] = make_insn(kClassJmp32 | kJmpCall, 0, 0, 0, 1);
  EXPECT_EQ(reason(prog, 0), "invalid CALL in the JMP32 class");
}

TEST(Validate, RawRoundTrip) {
  const Instruction insn = Instruction::from_raw(0x5566778800000018ull);
  EXPECT_TRUE(insn.is_lddw());
  EXPECT_EQ(insn.imm, 0x55667788);
  EXPECT_EQ(insn.raw(), 0x5566778800000018ull);
}

}  // namespace
}  // namespace nicsim::ebpf
