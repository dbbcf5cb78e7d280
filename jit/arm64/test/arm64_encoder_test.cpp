// Every typed AArch64 encoder of data processing and memory access checked against
// Capstone: the word an encoder writes must decode to the mnemonic and operands the encoder is
// named after (Capstone prints the Arm ARM's preferred alias: ORR from xzr is "mov", SUBS to
// xzr is "cmp", UBFM is "lsl"/"uxth"...). The expected text is written from the test's
// parameters and the Arm ARM's assembly syntax, never from the encoder's output.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

#include "jit/arm64/a64_encoder.h"
#include "jit/arm64/test/arm64_encoder_support.h"
#include "jit/common/jit_error.h"

namespace nicsim::jit::a64 {
namespace {

TEST(Arm64Encoder, AddSubImmediate) {
  for (int d = 0; d <= 30; ++d) {
    for (int n = 0; n <= 30; n += 3) {
      EXPECT_EQ(one([&](A64Encoder& e) {
                  e.emit_addsub_immediate(AddSubOp::Add, false, Size::X64, reg(d), reg(n), 16);
                }),
                fmt::format("add {}, {}, #0x10", x(d), x(n)));
      EXPECT_EQ(one([&](A64Encoder& e) {
                  e.emit_addsub_immediate(AddSubOp::Sub, false, Size::W32, reg(d), reg(n), 4095);
                }),
                fmt::format("sub {}, {}, #0xfff", w(d), w(n)));
    }
  }
  EXPECT_EQ(one([](A64Encoder& e) {
              e.emit_addsub_immediate(AddSubOp::Sub, false, Size::X64, Reg::sp, Reg::sp, 5);
            }),
            "sub sp, sp, #5");
  EXPECT_EQ(one([](A64Encoder& e) {
              e.emit_addsub_immediate(AddSubOp::Sub, true, Size::X64, Reg::zr, Reg::x2, 7);
            }),
            "cmp x2, #7");
  EXPECT_EQ(one([](A64Encoder& e) {
              e.emit_addsub_immediate(AddSubOp::Add, true, Size::W32, Reg::zr, Reg::x3, 1);
            }),
            "cmn w3, #1");
  EXPECT_EQ(one([](A64Encoder& e) {
              e.emit_addsub_immediate(AddSubOp::Add, true, Size::X64, Reg::x5, Reg::x6, 3);
            }),
            "adds x5, x6, #3");
  EXPECT_EQ(one([](A64Encoder& e) {
              e.emit_addsub_immediate(AddSubOp::Add, false, Size::X64, Reg::x0, Reg::x1, 1, true);
            }),
            "add x0, x1, #1, lsl #12");
  EXPECT_EQ(one([](A64Encoder& e) { e.emit_mov_sp(Reg::x29, Reg::sp); }), "mov x29, sp");
  EXPECT_EQ(one([](A64Encoder& e) { e.emit_mov_sp(Reg::sp, Reg::x9); }), "mov sp, x9");
  EXPECT_THROW(one([](A64Encoder& e) {
                 e.emit_addsub_immediate(AddSubOp::Add, false, Size::X64, Reg::x0, Reg::x0, 4096);
               }),
               JitError);
}

TEST(Arm64Encoder, MoveWide) {
  for (int d = 0; d <= 30; ++d) {
    EXPECT_EQ(one([&](A64Encoder& e) { e.emit_movz(Size::X64, reg(d), 0x1234, 16); }),
              fmt::format("movz {}, #0x1234, lsl #16", x(d)));
  }
  EXPECT_EQ(one([](A64Encoder& e) { e.emit_movz(Size::W32, Reg::x3, 0xbeef); }),
            "movz w3, #0xbeef");
  EXPECT_EQ(one([](A64Encoder& e) { e.emit_movn(Size::W32, Reg::x5, 0); }), "movn w5, #0");
  EXPECT_EQ(one([](A64Encoder& e) { e.emit_movn(Size::X64, Reg::x5, 7, 32); }),
            "movn x5, #0x7, lsl #32");  // move-wide immediates print in hex
  EXPECT_EQ(one([](A64Encoder& e) { e.emit_movk(Size::X64, Reg::x7, 0xffff, 48); }),
            "movk x7, #0xffff, lsl #48");
  EXPECT_THROW(one([](A64Encoder& e) { e.emit_movk(Size::W32, Reg::x7, 1, 32); }), JitError);
}

TEST(Arm64Encoder, Bitfield) {
  struct Case {
    BitfieldOp op;
    Size size;
    uint32_t immr, imms;
    std::string expected;
  };
  const Case cases[] = {
      {BitfieldOp::Ubfm, Size::X64, 60, 59, "lsl x2, x1, #4"},
      {BitfieldOp::Ubfm, Size::W32, 28, 27, "lsl w2, w1, #4"},
      {BitfieldOp::Ubfm, Size::X64, 4, 63, "lsr x2, x1, #4"},
      {BitfieldOp::Ubfm, Size::W32, 31, 31, "lsr w2, w1, #0x1f"},
      {BitfieldOp::Ubfm, Size::W32, 0, 31, "lsr w2, w1, #0"},
      {BitfieldOp::Sbfm, Size::X64, 63, 63, "asr x2, x1, #0x3f"},
      {BitfieldOp::Sbfm, Size::W32, 3, 31, "asr w2, w1, #3"},
      {BitfieldOp::Ubfm, Size::W32, 0, 15, "uxth w2, w1"},
      {BitfieldOp::Sbfm, Size::X64, 0, 7, "sxtb x2, w1"},
      {BitfieldOp::Sbfm, Size::W32, 0, 15, "sxth w2, w1"},
      {BitfieldOp::Sbfm, Size::X64, 0, 31, "sxtw x2, w1"},
      {BitfieldOp::Bfm, Size::X64, 8, 7, "bfi x2, x1, #0x38, #8"},
  };
  for (const Case& c : cases)
    EXPECT_EQ(one([&](A64Encoder& e) {
                e.emit_bitfield(c.op, c.size, Reg::x2, Reg::x1, c.immr, c.imms);
              }),
              c.expected);
  EXPECT_THROW(one([](A64Encoder& e) {
                 e.emit_bitfield(BitfieldOp::Ubfm, Size::W32, Reg::x2, Reg::x1, 32, 0);
               }),
               JitError);
}

TEST(Arm64Encoder, AddSubShiftedRegister) {
  for (int d = 0; d <= 31; d += 5) {
    for (int m = 0; m <= 31; m += 7) {
      EXPECT_EQ(one([&](A64Encoder& e) {
                  e.emit_addsub_shifted_register(AddSubOp::Add, false, Size::X64, reg(d), Reg::x1,
                                                 reg(m));
                }),
                fmt::format("add {}, x1, {}", x(d), x(m)));
    }
  }
  EXPECT_EQ(one([](A64Encoder& e) {
              e.emit_addsub_shifted_register(AddSubOp::Sub, false, Size::W32, Reg::x3, Reg::x4,
                                             Reg::x5);
            }),
            "sub w3, w4, w5");
  EXPECT_EQ(one([](A64Encoder& e) {
              e.emit_addsub_shifted_register(AddSubOp::Sub, true, Size::X64, Reg::zr, Reg::x1,
                                             Reg::x2);
            }),
            "cmp x1, x2");
  EXPECT_EQ(one([](A64Encoder& e) {
              e.emit_addsub_shifted_register(AddSubOp::Sub, false, Size::X64, Reg::x3, Reg::zr,
                                             Reg::x4);
            }),
            "neg x3, x4");
  EXPECT_EQ(one([](A64Encoder& e) {
              e.emit_addsub_shifted_register(AddSubOp::Add, true, Size::X64, Reg::x0, Reg::x1,
                                             Reg::x2, Shift::Lsl, 3);
            }),
            "adds x0, x1, x2, lsl #3");
}

TEST(Arm64Encoder, LogicalShiftedRegister) {
  EXPECT_EQ(one([](A64Encoder& e) {
              e.emit_logical_shifted_register(LogicalOp::Orr, false, Size::X64, Reg::x2, Reg::x1,
                                              Reg::x3);
            }),
            "orr x2, x1, x3");
  for (int d = 0; d <= 30; ++d) {
    EXPECT_EQ(one([&](A64Encoder& e) { e.emit_mov_register(Size::X64, reg(d), Reg::x9); }),
              fmt::format("mov {}, x9", x(d)));
    EXPECT_EQ(one([&](A64Encoder& e) { e.emit_mov_register(Size::W32, Reg::x9, reg(d)); }),
              fmt::format("mov w9, {}", w(d)));
  }
  EXPECT_EQ(one([](A64Encoder& e) {
              e.emit_logical_shifted_register(LogicalOp::Eor, false, Size::W32, Reg::x0, Reg::x1,
                                              Reg::x2);
            }),
            "eor w0, w1, w2");
  EXPECT_EQ(one([](A64Encoder& e) {
              e.emit_logical_shifted_register(LogicalOp::And, false, Size::X64, Reg::x0, Reg::x1,
                                              Reg::x2, Shift::Lsr, 4);
            }),
            "and x0, x1, x2, lsr #4");
  EXPECT_EQ(one([](A64Encoder& e) {
              e.emit_logical_shifted_register(LogicalOp::Ands, false, Size::X64, Reg::zr, Reg::x2,
                                              Reg::x1);
            }),
            "tst x2, x1");
  EXPECT_EQ(one([](A64Encoder& e) {
              e.emit_logical_shifted_register(LogicalOp::And, true, Size::X64, Reg::x0, Reg::x1,
                                              Reg::x2);
            }),
            "bic x0, x1, x2");
  EXPECT_EQ(one([](A64Encoder& e) {
              e.emit_logical_shifted_register(LogicalOp::Orr, true, Size::X64, Reg::x0, Reg::zr,
                                              Reg::x2);
            }),
            "mvn x0, x2");
}

TEST(Arm64Encoder, DataProcessingTwoSource) {
  struct Case {
    TwoSourceOp op;
    Size size;
    std::string expected;
  };
  const Case cases[] = {
      {TwoSourceOp::Udiv, Size::W32, "udiv w0, w1, w2"},
      {TwoSourceOp::Sdiv, Size::X64, "sdiv x0, x1, x2"},
      {TwoSourceOp::Lslv, Size::X64, "lsl x0, x1, x2"},
      {TwoSourceOp::Lsrv, Size::W32, "lsr w0, w1, w2"},
      {TwoSourceOp::Asrv, Size::X64, "asr x0, x1, x2"},
      {TwoSourceOp::Rorv, Size::W32, "ror w0, w1, w2"},
  };
  for (const Case& c : cases)
    EXPECT_EQ(one([&](A64Encoder& e) {
                e.emit_data_processing_2source(c.op, c.size, Reg::x0, Reg::x1, Reg::x2);
              }),
              c.expected);
}

TEST(Arm64Encoder, DataProcessingOneSource) {
  EXPECT_EQ(one([](A64Encoder& e) {
              e.emit_data_processing_1source(OneSourceOp::Rev16, Size::W32, Reg::x0, Reg::x1);
            }),
            "rev16 w0, w1");
  EXPECT_EQ(one([](A64Encoder& e) {
              e.emit_data_processing_1source(OneSourceOp::Rev32, Size::W32, Reg::x20, Reg::x20);
            }),
            "rev w20, w20");
  EXPECT_EQ(one([](A64Encoder& e) {
              e.emit_data_processing_1source(OneSourceOp::Rev32, Size::X64, Reg::x0, Reg::x1);
            }),
            "rev32 x0, x1");
  EXPECT_EQ(one([](A64Encoder& e) {
              e.emit_data_processing_1source(OneSourceOp::Rev64, Size::X64, Reg::x7, Reg::x7);
            }),
            "rev x7, x7");
  EXPECT_EQ(one([](A64Encoder& e) {
              e.emit_data_processing_1source(OneSourceOp::Rbit, Size::X64, Reg::x0, Reg::x1);
            }),
            "rbit x0, x1");
  EXPECT_THROW(one([](A64Encoder& e) {
                 e.emit_data_processing_1source(OneSourceOp::Rev64, Size::W32, Reg::x0, Reg::x1);
               }),
               JitError);
}

TEST(Arm64Encoder, DataProcessingThreeSource) {
  EXPECT_EQ(one([](A64Encoder& e) {
              e.emit_data_processing_3source(ThreeSourceOp::Madd, Size::X64, Reg::x2, Reg::x1,
                                             Reg::x3, Reg::zr);
            }),
            "mul x2, x1, x3");
  EXPECT_EQ(one([](A64Encoder& e) {
              e.emit_data_processing_3source(ThreeSourceOp::Madd, Size::W32, Reg::x2, Reg::x1,
                                             Reg::x3, Reg::x4);
            }),
            "madd w2, w1, w3, w4");
  EXPECT_EQ(one([](A64Encoder& e) {
              e.emit_data_processing_3source(ThreeSourceOp::Msub, Size::X64, Reg::x19, Reg::x10,
                                             Reg::x9, Reg::x19);
            }),
            "msub x19, x10, x9, x19");
  EXPECT_EQ(one([](A64Encoder& e) {
              e.emit_data_processing_3source(ThreeSourceOp::Msub, Size::W32, Reg::x2, Reg::x1,
                                             Reg::x3, Reg::zr);
            }),
            "mneg w2, w1, w3");
}

TEST(Arm64Encoder, ConditionalSelect) {
  const char* names[] = {"eq", "ne", "hs", "lo", "mi", "pl", "vs",
                         "vc", "hi", "ls", "ge", "lt", "gt", "le"};
  for (int c = 0; c < 14; ++c) {
    EXPECT_EQ(one([&](A64Encoder& e) {
                e.emit_conditional_select(CondSelectOp::Csel, Size::W32, Reg::x0, Reg::x1, Reg::x2,
                                          static_cast<Cond>(c));
              }),
              fmt::format("csel w0, w1, w2, {}", names[c]));
  }
  EXPECT_EQ(one([](A64Encoder& e) {
              e.emit_conditional_select(CondSelectOp::Csinc, Size::X64, Reg::x0, Reg::x1, Reg::x2,
                                        Cond::EQ);
            }),
            "csinc x0, x1, x2, eq");
  EXPECT_EQ(one([](A64Encoder& e) {
              e.emit_conditional_select(CondSelectOp::Csinv, Size::X64, Reg::x0, Reg::x1, Reg::x2,
                                        Cond::LT);
            }),
            "csinv x0, x1, x2, lt");
  EXPECT_EQ(one([](A64Encoder& e) {
              e.emit_conditional_select(CondSelectOp::Csneg, Size::X64, Reg::x0, Reg::x1, Reg::x2,
                                        Cond::GT);
            }),
            "csneg x0, x1, x2, gt");
  // csinc Rd, zr, zr, invert(cond) is the cset alias.
  EXPECT_EQ(one([](A64Encoder& e) {
              e.emit_conditional_select(CondSelectOp::Csinc, Size::X64, Reg::x0, Reg::zr, Reg::zr,
                                        Cond::NE);
            }),
            "cset x0, eq");
}

struct MemCase {
  MemOp op;
  const char* mnemonic;  // unsigned-offset form
  const char* unscaled;
  bool x_register;
  int size;
};
constexpr MemCase kMemOps[] = {
    {MemOp::Strb, "strb", "sturb", false, 1},    {MemOp::Strh, "strh", "sturh", false, 2},
    {MemOp::StrW, "str", "stur", false, 4},      {MemOp::StrX, "str", "stur", true, 8},
    {MemOp::Ldrb, "ldrb", "ldurb", false, 1},    {MemOp::Ldrh, "ldrh", "ldurh", false, 2},
    {MemOp::LdrW, "ldr", "ldur", false, 4},      {MemOp::LdrX, "ldr", "ldur", true, 8},
    {MemOp::LdrsbX, "ldrsb", "ldursb", true, 1}, {MemOp::LdrshX, "ldrsh", "ldursh", true, 2},
    {MemOp::LdrswX, "ldrsw", "ldursw", true, 4},
};

TEST(Arm64Encoder, LoadStoreEveryForm) {
  for (const MemCase& m : kMemOps) {
    SCOPED_TRACE(m.mnemonic);
    EXPECT_EQ(access_size(m.op), m.size);
    for (int t = 0; t <= 30; t += 3) {
      const std::string rt = m.x_register ? x(t) : w(t);
      EXPECT_EQ(
          one([&](A64Encoder& e) { e.emit_load_store_unsigned_offset(m.op, reg(t), Reg::x28, 0); }),
          fmt::format("{} {}, [x28]", m.mnemonic, rt));
      EXPECT_EQ(one([&](A64Encoder& e) {
                  e.emit_load_store_unsigned_offset(m.op, reg(t), Reg::sp,
                                                    static_cast<uint32_t>(m.size * 4095));
                }),
                fmt::format("{} {}, [sp, {}]", m.mnemonic, rt, imm(m.size * 4095)));
      EXPECT_EQ(
          one([&](A64Encoder& e) { e.emit_load_store_unscaled(m.op, reg(t), Reg::x25, -256); }),
          fmt::format("{} {}, [x25, #-0x100]", m.unscaled, rt));
      EXPECT_EQ(one([&](A64Encoder& e) {
                  e.emit_load_store_register_offset(m.op, reg(t), Reg::x1, Reg::x10);
                }),
                fmt::format("{} {}, [x1, x10]", m.mnemonic, rt));
      EXPECT_EQ(one([&](A64Encoder& e) {
                  e.emit_load_store_immediate_indexed(m.op, Index::PreIndex, reg(t), Reg::sp, -16);
                }),
                fmt::format("{} {}, [sp, #-0x10]!", m.mnemonic, rt));
      EXPECT_EQ(one([&](A64Encoder& e) {
                  e.emit_load_store_immediate_indexed(m.op, Index::PostIndex, reg(t), Reg::x1, 255);
                }),
                fmt::format("{} {}, [x1], #0xff", m.mnemonic, rt));
    }
    if (m.size > 1) {
      EXPECT_THROW(
          one([&](A64Encoder& e) { e.emit_load_store_unsigned_offset(m.op, Reg::x0, Reg::x1, 1); }),
          JitError);
    }
  }
  EXPECT_THROW(
      one([](A64Encoder& e) { e.emit_load_store_unscaled(MemOp::LdrX, Reg::x0, Reg::x1, 256); }),
      JitError);
}

TEST(Arm64Encoder, LoadStorePair) {
  EXPECT_EQ(one([](A64Encoder& e) {
              e.emit_load_store_pair(PairOp::Stp, Index::PreIndex, Reg::x29, Reg::x30, Reg::sp,
                                     -96);
            }),
            "stp x29, x30, [sp, #-0x60]!");
  EXPECT_EQ(one([](A64Encoder& e) {
              e.emit_load_store_pair(PairOp::Ldp, Index::PostIndex, Reg::x19, Reg::x20, Reg::sp,
                                     32);
            }),
            "ldp x19, x20, [sp], #0x20");
  EXPECT_EQ(one([](A64Encoder& e) {
              e.emit_load_store_pair(PairOp::Ldp, Index::Offset, Reg::x10, Reg::x11, Reg::x28, 24);
            }),
            "ldp x10, x11, [x28, #0x18]");
  EXPECT_EQ(one([](A64Encoder& e) {
              e.emit_load_store_pair(PairOp::Stp, Index::Offset, Reg::x4, Reg::x7, Reg::sp, 504);
            }),
            "stp x4, x7, [sp, #0x1f8]");
  EXPECT_EQ(one([](A64Encoder& e) {
              e.emit_load_store_pair(PairOp::Stp, Index::Offset, Reg::x4, Reg::x7, Reg::x1, -512);
            }),
            "stp x4, x7, [x1, #-0x200]");
  EXPECT_THROW(one([](A64Encoder& e) {
                 e.emit_load_store_pair(PairOp::Stp, Index::Offset, Reg::x0, Reg::x1, Reg::sp, 12);
               }),
               JitError);
}

TEST(Arm64Encoder, ExclusivesAndBarriers) {
  EXPECT_EQ(one([](A64Encoder& e) { e.emit_ldaxr(Size::X64, Reg::x10, Reg::x9); }),
            "ldaxr x10, [x9]");
  EXPECT_EQ(one([](A64Encoder& e) { e.emit_ldaxr(Size::W32, Reg::x10, Reg::x9); }),
            "ldaxr w10, [x9]");
  EXPECT_EQ(one([](A64Encoder& e) { e.emit_stlxr(Size::X64, Reg::x12, Reg::x11, Reg::x9); }),
            "stlxr w12, x11, [x9]");
  EXPECT_EQ(one([](A64Encoder& e) { e.emit_stlxr(Size::W32, Reg::x12, Reg::x7, Reg::x9); }),
            "stlxr w12, w7, [x9]");
  EXPECT_EQ(one([](A64Encoder& e) { e.emit_clrex(); }), "clrex");
  EXPECT_EQ(one([](A64Encoder& e) { e.emit_dmb_ish(); }), "dmb ish");
}

}  // namespace
}  // namespace nicsim::jit::a64
