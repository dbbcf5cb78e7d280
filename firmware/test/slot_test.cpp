#include "firmware/isa/slot.h"

#include <gtest/gtest.h>

#include <set>

#include "ebpf/util/error.h"
#include "firmware/asm/nic_asm.h"

namespace nicsim::firmware {
namespace {

// Expected words computed by hand from the field tables of docs/nic-isa.md section 4.
TEST(SlotEncoding, MatchesTheDocumentedLayout) {
  EXPECT_EQ(encode_slot(make_nop()), 0u);
  EXPECT_EQ(encode_slot(make_alu_imm(AluFunc::Add, false, 3, 1, 14)), 0x8131'0000'0000'000eull);
  EXPECT_EQ(encode_slot(make_alu(AluFunc::Add, true, 3, 1, 2)), 0x4031'2000'0000'0000ull);
  EXPECT_EQ(encode_slot(make_load(2, false, 4, 1, 12)), 0x6341'0000'0000'000cull);
  EXPECT_EQ(encode_slot(make_store_imm(4, 10, -8, 5)), 0x2d0a'0ff8'0000'0005ull);
  EXPECT_EQ(encode_slot(make_branch(Cond::Gt, false, 1, 2, 12, 14)), 0xcc01'200c'0000'000eull);
  EXPECT_EQ(encode_slot(make_exit_imm(1)), 0x0200'0000'0000'0001ull);
  EXPECT_EQ(encode_slot(make_branch_imm(Cond::Ne, false, 0, 0, kExitVectorBase + 1)),
            0xc900'0ff9'0000'0000ull);
  EXPECT_EQ(encode_slot(make_atomic(AtomicOp::Add, true, true, 3, 1, 0, 2)),
            0x1c31'2000'0000'0000ull);
  EXPECT_EQ(encode_slot(make_alu_pool(AluFunc::Mov, 1, 0, 2)), 0xb610'0000'0000'0002ull);
  EXPECT_EQ(encode_slot(make_hcall(1)), 0x0400'0000'0000'0001ull);
  EXPECT_EQ(encode_slot(make_load_indexed(4, true, 3, 1, 2, -4)), 0x7631'2ffc'0000'0000ull);
  // ldnf carries its size in x12
  EXPECT_EQ(encode_slot(make_load_no_fault(2, 4, 1, 12)), 0x0741'0002'0000'000cull);
}

TEST(SlotEncoding, SignedAndUnsignedTwelveBitField) {
  const Slot store = make_store_imm(1, 10, -2048, 0);
  EXPECT_EQ(store.offset12(), -2048);
  EXPECT_EQ(store.x12, 0x800);
  EXPECT_EQ(make_store_imm(1, 10, 2047, 0).offset12(), 2047);
  const Slot branch = make_jump(4000);
  EXPECT_EQ(branch.target(), 4000);
  EXPECT_FALSE(branch.targets_exit_vector());
  EXPECT_TRUE(make_jump(kExitVectorBase + 7).targets_exit_vector());
}

// Every word built from a spread of field values either decodes to a slot that encodes back
// to the same word, or is rejected; and the set of opcodes that can be valid is the one the
// opcode map of section 4.1 describes.
TEST(SlotEncoding, DecodeEncodeRoundTripOverAllOpcodes) {
  const uint8_t regs[] = {0, 1, 10, 11, 15};
  const uint16_t x12s[] = {0, 5, 0xff8, 0xfff};
  const int32_t imms[] = {0, 1, -1, 5, 0x7fffffff};
  std::set<int> valid_opcodes;
  for (int opcode = 0; opcode < 256; ++opcode) {
    for (uint8_t rd : regs)
      for (uint8_t ra : regs)
        for (uint8_t rb : regs)
          for (uint16_t x12 : x12s)
            for (int32_t imm : imms) {
              const uint64_t word = (uint64_t(opcode) << 56) | (uint64_t(rd) << 52) |
                                    (uint64_t(ra) << 48) | (uint64_t(rb) << 44) |
                                    (uint64_t(x12) << 32) | uint32_t(imm);
              Slot slot;
              if (!decode_slot(word, &slot).empty()) continue;
              valid_opcodes.insert(opcode);
              ASSERT_EQ(encode_slot(slot), word) << std::hex << word;
            }
  }
  // MISC 28 + ST 24 + ALU32 32 + LD 32 + ALU64 48 + BR 52, less the opcodes whose field rules
  // admit no word: ext with a register or pool operand (3) and ja with w32/imm bits (3).
  EXPECT_EQ(valid_opcodes.size(), 210u);
  EXPECT_TRUE(valid_opcodes.count(0x07));  // ldnf
  EXPECT_FALSE(valid_opcodes.count(0x0c));
  EXPECT_FALSE(valid_opcodes.count(0x23));  // store value select 3
  EXPECT_FALSE(valid_opcodes.count(0x83));  // ALU64 operand select 3
  EXPECT_FALSE(valid_opcodes.count(0xf4));  // branch condition 13
}

TEST(SlotEncoding, RejectsReservedFieldsAndRegisters) {
  Slot slot;
  // nop with a non-zero imm
  EXPECT_NE(decode_slot(0x0000'0000'0000'0001ull, &slot), "");
  // add r3, r1, r2 with a non-zero x12
  EXPECT_NE(decode_slot(0x8031'2001'0000'0000ull, &slot), "");
  // r14 as a source (r11..r13 are the packet pointers)
  EXPECT_NE(decode_slot(0x803e'0000'0000'0000ull, &slot), "");
  EXPECT_EQ(decode_slot(0x803b'0000'0000'0000ull, &slot), "");
  // r11 as a destination
  EXPECT_NE(decode_slot(0x81b1'0000'0000'0001ull, &slot), "");
  // r10 as a destination
  EXPECT_NE(decode_slot(0x81a1'0000'0000'0001ull, &slot), "");
  // ext with an undefined conversion
  EXPECT_NE(decode_slot(0xbd11'0000'0000'0007ull, &slot), "");
  // hcall of a helper that is no hardware unit (trace_printk)
  EXPECT_NE(decode_slot(0x0400'0000'0000'0006ull, &slot), "");
  EXPECT_THROW(encode_slot(make_mov(false, 10, 1)), Error);
  EXPECT_THROW(encode_slot(make_ext(ExtKind::Bswap64, true, 1, 1)), Error);
}

TEST(SlotOperands, ReadsAndWrites) {
  const auto bits = [](std::initializer_list<int> regs) {
    uint16_t m = 0;
    for (int r : regs)
      m |= uint16_t(1u << r);
    return m;
  };
  EXPECT_EQ(registers_read(make_alu(AluFunc::Add, false, 3, 1, 2)), bits({1, 2}));
  EXPECT_EQ(registers_written(make_alu(AluFunc::Add, false, 3, 1, 2)), bits({3}));
  EXPECT_EQ(registers_read(make_mov(false, 3, 2)), bits({2}));
  EXPECT_EQ(registers_read(make_store(4, 10, -4, 3)), bits({10, 3}));
  EXPECT_EQ(registers_written(make_store(4, 10, -4, 3)), 0);
  EXPECT_EQ(registers_read(make_cmpxchg(false, 0, 1, 0, 2)), bits({0, 1, 2}));
  EXPECT_EQ(registers_read(make_hcall(1)), bits({1, 2}));
  EXPECT_EQ(registers_read(make_hcall(28)), bits({1, 2, 3, 4, 5}));
  EXPECT_EQ(registers_written(make_hcall(1)), bits({0}));
  EXPECT_EQ(registers_written(make_exit_imm(2)), bits({0}));
  EXPECT_EQ(registers_read(make_jump(3)), 0);
  EXPECT_TRUE(uses_divider(make_alu_imm(AluFunc::Smod, true, 1, 1, 3)));
  EXPECT_TRUE(uses_multiplier(make_alu_imm(AluFunc::Mul, false, 1, 1, 3)));
  EXPECT_TRUE(is_unconditional_control(make_ret()));
  EXPECT_FALSE(is_unconditional_control(make_branch_imm(Cond::Eq, false, 1, 0, 3)));
}

TEST(Conditions, InvertAndSwap) {
  for (int c = 1; c < kNumConds; ++c) {
    const auto cond = static_cast<Cond>(c);
    EXPECT_EQ(invert(invert(cond)), cond);
    EXPECT_NE(invert(cond), cond);
    EXPECT_EQ(swap_operands(swap_operands(cond)), cond);
  }
  EXPECT_EQ(invert(Cond::Gt), Cond::Le);
  EXPECT_EQ(invert(Cond::Set), Cond::Nset);
  EXPECT_EQ(swap_operands(Cond::Sgt), Cond::Slt);
}

}  // namespace
}  // namespace nicsim::firmware
