// What DecodedProgram resolves at load for the per-cycle path: the scoreboard's register lists
// and the helper table entries of helper calls. Expected registers are read off the assembly
// text, not off the decoder.

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

}  // namespace
}  // namespace nicsim::model
