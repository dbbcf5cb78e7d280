#include "firmware/isa/bundle.h"

#include <gtest/gtest.h>

#include <vector>

namespace nicsim::firmware {
namespace {

std::vector<Slot> bundle(std::initializer_list<Slot> slots, size_t lanes = 4) {
  std::vector<Slot> b(slots);
  b.resize(lanes);
  return b;
}

TEST(BundleRules, AcceptsIndependentOperations) {
  EXPECT_EQ(check_bundle(
                bundle({make_alu_imm(AluFunc::Add, false, 3, 1, 14), make_load(2, false, 4, 1, 12),
                        make_load(1, false, 5, 1, 9), make_branch(Cond::Gt, false, 3, 2, 7)}),
                2),
            "");
}

TEST(BundleRules, MemoryPorts) {
  const auto b = bundle(
      {make_load(1, false, 1, 6, 0), make_load(1, false, 2, 6, 1), make_store(1, 10, -1, 3)});
  EXPECT_NE(check_bundle(b, 2), "");
  EXPECT_EQ(check_bundle(b, 3), "");
}

TEST(BundleRules, OneMultiplierOneDividerOneUnitOp) {
  EXPECT_NE(check_bundle(bundle({make_alu_imm(AluFunc::Mul, false, 1, 1, 3),
                                 make_alu_imm(AluFunc::Mul, false, 2, 2, 3)}),
                         2),
            "");
  EXPECT_NE(check_bundle(bundle({make_alu_imm(AluFunc::Div, false, 1, 1, 3),
                                 make_alu_imm(AluFunc::Mod, true, 2, 2, 3)}),
                         2),
            "");
  EXPECT_NE(check_bundle(bundle({make_hcall(1), make_exit_reg(6)}), 2), "");
}

TEST(BundleRules, DistinctDestinations) {
  EXPECT_NE(check_bundle(bundle({make_mov_imm(false, 1, 1), make_load(1, false, 1, 6, 0)}), 2), "");
  // exit and hcall both write r0
  EXPECT_NE(check_bundle(bundle({make_mov_imm(false, 0, 1), make_exit_imm(1)}), 2), "");
}

TEST(BundleRules, UnconditionalControlComesLast) {
  EXPECT_EQ(check_bundle(bundle({make_branch_imm(Cond::Eq, false, 1, 0, 5),
                                 make_branch_imm(Cond::Eq, false, 1, 7, 6), make_exit_imm(1)}),
                         2),
            "");
  EXPECT_NE(check_bundle(bundle({make_jump(3), make_branch_imm(Cond::Eq, false, 1, 0, 5)}), 2), "");
  // non-control operations may follow an unconditional one: they execute anyway
  EXPECT_EQ(check_bundle(bundle({make_jump(3), make_mov_imm(false, 1, 0)}), 2), "");
  EXPECT_NE(check_bundle(bundle({make_hcall(1), make_branch_imm(Cond::Eq, false, 1, 0, 5)}), 2),
            "");
}

TEST(BundleRules, ReportsTheLaneOfAnInvalidSlot) {
  Slot bad = make_nop();
  bad.imm = 3;
  EXPECT_EQ(check_bundle(bundle({make_nop(), bad}), 2).substr(0, 6), "lane 1");
  EXPECT_TRUE(is_control_bundle(bundle({make_nop(), make_ret()})));
  EXPECT_FALSE(is_control_bundle(bundle({make_hcall(1)})));
}

}  // namespace
}  // namespace nicsim::firmware
