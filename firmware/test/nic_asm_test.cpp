#include "firmware/asm/nic_asm.h"

#include <gtest/gtest.h>

#include "ebpf/util/error.h"

namespace nicsim::firmware {
namespace {

TEST(NicAssembler, BundlesLabelsAndPool) {
  const AssembledCode code = assemble_nic(R"(
    # bounds check then classify
    entry: { add r3, r1, 14 ; ld2 r4, [r1+12] }   // two slots
           jgt r3, r2, @drop
           mov r5, =0x1122334455667788
           { jeq r4, 0x81, @entry ; ja @exit2 }
    drop:  exit 1
  )");
  ASSERT_EQ(code.bundles.size(), 5u);
  EXPECT_EQ(code.labels.at("entry"), 0u);
  EXPECT_EQ(code.labels.at("drop"), 4u);
  ASSERT_EQ(code.bundles[0].size(), 2u);
  EXPECT_EQ(code.bundles[0][0], make_alu_imm(AluFunc::Add, false, 3, 1, 14));
  EXPECT_EQ(code.bundles[0][1], make_load(2, false, 4, 1, 12));
  EXPECT_EQ(code.bundles[1][0], make_branch(Cond::Gt, false, 3, 2, 4));
  ASSERT_EQ(code.constants.size(), 1u);
  EXPECT_EQ(code.constants[0], 0x1122334455667788ull);
  EXPECT_EQ(code.bundles[2][0], make_alu_pool(AluFunc::Mov, 5, 0, 0));
  EXPECT_EQ(code.bundles[3][0], make_branch_imm(Cond::Eq, false, 4, 0x81, 0));
  EXPECT_EQ(code.bundles[3][1], make_jump(kExitVectorBase + 2));
  EXPECT_EQ(code.bundles[4][0], make_exit_imm(1));
}

TEST(NicAssembler, BaseAddressAndPoolReuse) {
  AsmOptions options;
  options.base_address = 100;
  options.constants = {7, 0x2545f4914f6cdd1dull};
  const AssembledCode code = assemble_nic("a: mul r0, r0, =0x2545f4914f6cdd1d\n ja @a", options);
  EXPECT_EQ(code.constants.size(), 2u);
  EXPECT_EQ(code.bundles[0][0], make_alu_pool(AluFunc::Mul, 0, 0, 1));
  EXPECT_EQ(code.bundles[1][0], make_jump(100));
}

// Every operation form survives disassembly and reassembly.
TEST(NicAssembler, DisassemblyRoundTrip) {
  const std::vector<uint64_t> pool = {0xdeadbeefcafef00dull};
  const std::vector<Slot> slots = {
      make_nop(),
      make_alu(AluFunc::Sub, false, 1, 2, 3),
      make_alu_imm(AluFunc::Arsh, true, 4, 4, -3),
      make_alu_pool(AluFunc::Xor, 5, 6, 0),
      make_mov(true, 7, 8),
      make_mov_imm(false, 9, -1),
      make_alu_imm(AluFunc::Rsub, false, 1, 1, 0),
      make_ext(ExtKind::Bswap16, false, 1, 2),
      make_ext(ExtKind::Sext8, true, 3, 3),
      make_load(8, false, 0, 10, -16),
      make_load(3, true, 1, 2, 100000),
      make_load_indexed(2, false, 4, 1, 3, 2),
      make_load_no_fault(6, 4, 1, -7),
      make_load(2, false, 4, firmware::kPacketDataRegister, 12),
      make_branch(Cond::Gt, false, firmware::kPacketDataRegister, firmware::kPacketEndRegister, 7,
                  14),
      make_load_indexed(1, false, 4, 1, 3, -2048),
      make_store(4, 10, -4, 3),
      make_store_imm(2, 6, 40, -5),
      make_store_pool(8, 10, -8, 0),
      make_branch(Cond::Sle, true, 1, 2, 17),
      make_branch(Cond::Gt, false, 1, 2, 4000, 14),
      make_branch(Cond::Nset, false, 1, 2, 3, -20),
      make_branch_imm(Cond::Set, false, 1, 0x40, kExitVectorBase),
      make_jump(12),
      make_movs(3, SpecialReg::PktEnd),
      make_movs(4, SpecialReg::Cycle),
      make_exit_imm(-7),
      make_exit_reg(6),
      make_hcall(65),
      make_callf(33),
      make_ret(),
      make_atomic(AtomicOp::Xor, false, false, 0, 1, 8, 2),
      make_atomic(AtomicOp::Or, true, true, 3, 1, -8, 2),
      make_xchg(true, 3, 1, 4, 2),
      make_cmpxchg(false, 0, 1, 0, 2),
  };
  for (const Slot& slot : slots) {
    const std::string text = disassemble_slot(slot, pool);
    AsmOptions options;
    options.constants = pool;
    const AssembledCode code = assemble_nic(text, options);
    ASSERT_EQ(code.bundles.size(), 1u) << text;
    EXPECT_EQ(code.bundles[0][0], slot) << text;
    EXPECT_EQ(code.constants, pool) << text;
  }
}

TEST(NicAssembler, BundleTextKeepsLanes) {
  const std::vector<Slot> b = {make_nop(), make_mov_imm(false, 1, 2), make_ret(), make_nop()};
  const std::string text = disassemble_bundle(b);
  EXPECT_EQ(text, "{ nop ; mov r1, 2 ; ret }");
  auto code = assemble_nic(text);
  code.bundles[0].resize(4);
  EXPECT_EQ(code.bundles[0], b);
  EXPECT_EQ(disassemble_bundle(std::vector<Slot>{make_nop(), make_nop()}), "{ nop }");
  EXPECT_EQ(disassemble_bundle(std::vector<Slot>{make_exit_imm(2)}), "exit 2");
}

std::string error_of(std::string_view text, AsmOptions options = {}) {
  try {
    assemble_nic(text, options);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(NicAssembler, ErrorsNameTheLine) {
  EXPECT_EQ(error_of("nop\nfrob r1, r2"), "nic asm line 2: unknown mnemonic 'frob'");
  EXPECT_EQ(error_of("ja @nowhere"), "nic asm line 1: undefined label 'nowhere'");
  EXPECT_EQ(error_of("add r1, r2, 0x100000000"),
            "nic asm line 1: 0x100000000 does not fit a 32-bit immediate (use =value for a pool "
            "constant)");
  EXPECT_EQ(error_of("st4 [r10-4000], 1"),
            "nic asm line 1: offset -4000 does not fit the 12-bit field (-2048..2047)");
  EXPECT_EQ(error_of("mov r14, 1"), "nic asm line 1: 'r14' is not a register r0..r13");
  EXPECT_EQ(error_of("mov r11, 1"), "nic asm line 1: rd is r11, which is read-only");
  EXPECT_EQ(error_of("mov r10, 1"), "nic asm line 1: rd is r10, which is read-only");
  AsmOptions narrow;
  narrow.max_lanes = 1;
  EXPECT_EQ(error_of("{ nop ; nop }", narrow), "nic asm line 1: bundle of 2 slots exceeds 1 lanes");
  EXPECT_EQ(error_of("x: nop\nx: nop"), "nic asm line 2: label 'x' defined twice");
  EXPECT_EQ(error_of("hcall trace_printk"),
            "nic asm line 1: 'trace_printk' is not a hardware helper unit");
}

}  // namespace
}  // namespace nicsim::firmware
