// What DecodedProgram resolves at load for the per-cycle path: the scoreboard's register lists,
// the helper table entries of helper calls, and each operation's handler and folded operands
// (op_kind.h). Expected values are read off the assembly text, not off the decoder.

#include "model/core/decoded_program.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "ebpf/runtime/helpers.h"
#include "model/test/test_support.h"

namespace nicsim::model {
namespace {

using test::AsmImageOptions;
using test::image_from_asm;

std::vector<uint8_t> list_of(const DecodedProgram& program, uint32_t address) {
  const MicroBundle& mb = program.bundle(address);
  return {mb.register_list.begin(), mb.register_list.begin() + program.register_list_length()};
}

TEST(DecodedProgram, RegisterListsHaveTheLengthOfTheBusiestBundle) {
  // Bundle 0 uses r1..r6 (six registers, the most); bundle 1 r0 and r7; bundle 2 r0 (an exit
  // writes r0).
  const DecodedProgram program(image_from_asm(R"(
    { add r3, r1, r2 ; add r6, r4, r5 }
    add r0, r7, 1
    exit 1
  )"),
                               LatencyConfig{});
  ASSERT_EQ(program.register_list_length(), 6u);
  EXPECT_EQ(list_of(program, 0), (std::vector<uint8_t>{1, 2, 3, 4, 5, 6}));
  // Shorter lists are padded with r10, which no bundle writes.
  EXPECT_EQ(list_of(program, 1), (std::vector<uint8_t>{0, 7, 10, 10, 10, 10}));
  EXPECT_EQ(list_of(program, 2), (std::vector<uint8_t>{0, 10, 10, 10, 10, 10}));
}

TEST(DecodedProgram, HelperCallsCarryTheirTableEntry) {
  AsmImageOptions options;
  options.units = {44};
  const DecodedProgram program(image_from_asm(R"(
    mov r1, 0x30000000
    hcall xdp_adjust_head
    exit 0
  )",
                                              options),
                               LatencyConfig{});
  const MicroBundle& call = program.bundle(1);
  ASSERT_TRUE(call.hcall);
  ASSERT_EQ(call.count, 1);
  ASSERT_NE(call.ops[0].helper, nullptr);
  EXPECT_EQ(call.ops[0].helper->id, 44);
  EXPECT_EQ(call.ops[0].helper, ebpf::find_helper(44));
  EXPECT_EQ(program.bundle(0).ops[0].helper, nullptr);  // not a helper call
}

constexpr uint64_t kAllOnes = ~uint64_t{0};

TEST(DecodedProgram, AluOperationsGetAKindPerFunctionAndWidth) {
  const DecodedProgram program(image_from_asm(R"(
    { add r1, r2, r3 ; sub.32 r4, r5, 7 ; mul r6, r7, r8 ; rsub r9, r1, 2 }
    { div r1, r2, r3 ; rsub.32 r7, r8, r9 ; bswap16 r0, r0 }
    mod.32 r4, r5, r6
    exit 0
  )"),
                               LatencyConfig{});
  const MicroBundle& first = program.bundle(0);
  ASSERT_EQ(first.count, 4);
  EXPECT_EQ(first.ops[0].kind, OpKind::Alu64Add);
  EXPECT_EQ(first.ops[1].kind, OpKind::Alu32Sub);
  EXPECT_EQ(first.ops[2].kind, OpKind::Alu64Mul);
  EXPECT_EQ(first.ops[3].kind, OpKind::Alu64Rsub);
  // The divider's functions, a 32-bit rsub and ext run through the generic ALU.
  const MicroBundle& second = program.bundle(1);
  ASSERT_EQ(second.count, 3);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(second.ops[i].kind, OpKind::AluOther) << "op " << i;
  EXPECT_EQ(program.bundle(2).ops[0].kind, OpKind::AluOther);
}

TEST(DecodedProgram, OperandBIsFoldedIntoAMaskAndAConstant) {
  const DecodedProgram program(image_from_asm(R"(
    { add r1, r2, r3 ; add r4, r5, -7 ; add r6, r7, =0x123456789 }
    exit 0
  )"),
                               LatencyConfig{});
  const MicroBundle& mb = program.bundle(0);
  ASSERT_EQ(mb.count, 3);
  // Register: (r3 & all ones) | 0.
  EXPECT_EQ(mb.ops[0].b_mask, kAllOnes);
  EXPECT_EQ(mb.ops[0].b, 0u);
  // Immediate, sign-extended: (r? & 0) | -7.
  EXPECT_EQ(mb.ops[1].b_mask, 0u);
  EXPECT_EQ(mb.ops[1].b, static_cast<uint64_t>(-7));
  // Pool constant.
  EXPECT_EQ(mb.ops[2].b_mask, 0u);
  EXPECT_EQ(mb.ops[2].b, 0x123456789u);
}

TEST(DecodedProgram, BranchesGetAKindPerConditionAndTheirOutcome) {
  const DecodedProgram program(image_from_asm(R"(
    { jgt r1+14, r2, @exit1 ; jeq.32 r3, 5, @2 }
    { jslt r4, -3, @2 ; ja @exit2 }
    exit -5
  )"),
                               LatencyConfig{});
  const MicroBundle& first = program.bundle(0);
  ASSERT_EQ(first.count, 2);
  // if (r1 + 14) > r2: the addend is the offset, r2 operand B; the target is exit vector 1.
  EXPECT_EQ(first.ops[0].kind, OpKind::Branch64Gt);
  EXPECT_EQ(first.ops[0].offset, 14);
  EXPECT_EQ(first.ops[0].b_mask, kAllOnes);
  EXPECT_EQ(first.ops[0].b, 0u);
  EXPECT_EQ(first.ops[0].taken, ControlKind::Exit);
  EXPECT_EQ(first.ops[0].exit_value, 1u);
  // 32-bit conditions run through the generic compare; a bundle target is a jump.
  EXPECT_EQ(first.ops[1].kind, OpKind::Branch32);
  EXPECT_EQ(first.ops[1].offset, 0);
  EXPECT_EQ(first.ops[1].b_mask, 0u);
  EXPECT_EQ(first.ops[1].b, 5u);
  EXPECT_EQ(first.ops[1].taken, ControlKind::Jump);
  EXPECT_EQ(first.ops[1].target, 2u);

  const MicroBundle& second = program.bundle(1);
  ASSERT_EQ(second.count, 2);
  EXPECT_EQ(second.ops[0].kind, OpKind::Branch64Slt);
  EXPECT_EQ(second.ops[0].b, static_cast<uint64_t>(-3));
  EXPECT_EQ(second.ops[1].kind, OpKind::Jump);
  EXPECT_EQ(second.ops[1].taken, ControlKind::Exit);
  EXPECT_EQ(second.ops[1].exit_value, 2u);

  const MicroOp& exit = program.bundle(2).ops[0];
  EXPECT_EQ(exit.kind, OpKind::ExitImm);
  EXPECT_EQ(exit.taken, ControlKind::Exit);
  EXPECT_EQ(exit.exit_value, static_cast<uint64_t>(-5));
}

TEST(DecodedProgram, MemoryOperationsGetAKindPerSize) {
  const DecodedProgram program(image_from_asm(R"(
    { ld1 r1, [r2+3] ; lds2 r3, [r4-2] }
    { ld4 r5, [r6+r7+8] ; ldnf6 r8, [r9+0] }
    { st8 [r10-8], r1 ; st3 [r2+1], 9 }
    exit 0
  )"),
                               LatencyConfig{});
  const MicroBundle& loads = program.bundle(0);
  ASSERT_EQ(loads.count, 2);
  EXPECT_EQ(loads.ops[0].kind, OpKind::Load1);
  EXPECT_EQ(loads.ops[0].offset, 3);
  EXPECT_EQ(loads.ops[0].b_mask, 0u);  // no index register
  EXPECT_EQ(loads.ops[0].sign_shift, 0);
  // A sign-extending 2-byte load: shifted left and back by 64 - 16 bits.
  EXPECT_EQ(loads.ops[1].kind, OpKind::Load2);
  EXPECT_EQ(loads.ops[1].offset, -2);
  EXPECT_EQ(loads.ops[1].sign_shift, 48);
  const MicroBundle& more_loads = program.bundle(1);
  ASSERT_EQ(more_loads.count, 2);
  // Base + index: the index register is added through the mask.
  EXPECT_EQ(more_loads.ops[0].kind, OpKind::Load4);
  EXPECT_EQ(more_loads.ops[0].offset, 8);
  EXPECT_EQ(more_loads.ops[0].b_mask, kAllOnes);
  // A load that yields 0 instead of faulting has its size's kind (its fault path tells).
  EXPECT_EQ(more_loads.ops[1].kind, OpKind::Load6);
  EXPECT_TRUE(more_loads.ops[1].slot.no_fault);

  const MicroBundle& stores = program.bundle(2);
  ASSERT_EQ(stores.count, 2);
  EXPECT_EQ(stores.ops[0].kind, OpKind::Store8);
  EXPECT_EQ(stores.ops[0].offset, -8);
  EXPECT_EQ(stores.ops[0].b_mask, kAllOnes);  // the value is r1
  EXPECT_EQ(stores.ops[1].kind, OpKind::Store3);
  EXPECT_EQ(stores.ops[1].b_mask, 0u);
  EXPECT_EQ(stores.ops[1].b, 9u);
}

TEST(DecodedProgram, EveryBundleEndsWithAnEndOperation) {
  // Nops are dropped: the End follows the last operation that does something.
  AsmImageOptions options;
  options.units = {44};
  options.routines = {{5, "routine"}};
  options.routines_start = "routine";
  const DecodedProgram program(image_from_asm(R"(
             { nop ; add r1, r1, 1 ; nop ; movs r2, pkt_len }
             { hcall xdp_adjust_head ; add r3, r3, r4 }
             { callf @routine ; sub r5, r5, 1 }
             exit r0
    routine: ret
  )",
                                              options),
                               LatencyConfig{});
  const std::vector<std::vector<OpKind>> expected = {{OpKind::Alu64Add, OpKind::Movs, OpKind::End},
                                                     {OpKind::HCall, OpKind::Alu64Add, OpKind::End},
                                                     {OpKind::CallF, OpKind::Alu64Sub, OpKind::End},
                                                     {OpKind::ExitReg, OpKind::End},
                                                     {OpKind::Ret, OpKind::End}};
  ASSERT_EQ(program.size(), expected.size());
  for (uint32_t n = 0; n < expected.size(); ++n) {
    const MicroBundle& mb = program.bundle(n);
    ASSERT_EQ(mb.count + 1u, expected[n].size()) << "bundle " << n;
    for (size_t i = 0; i < expected[n].size(); ++i)
      EXPECT_EQ(mb.ops[i].kind, expected[n][i]) << "bundle " << n << " op " << i;
  }
  EXPECT_EQ(program.bundle(2).ops[0].taken, ControlKind::Jump);
  EXPECT_EQ(program.bundle(2).ops[0].target, 4u);
}

}  // namespace
}  // namespace nicsim::model
