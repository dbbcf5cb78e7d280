#include "jit/common/compiled_program.h"

#include <gtest/gtest.h>

namespace nicsim::jit {
namespace {

TEST(CompiledProgram, MapsNativeAddressesBackToInstructions) {
  CompiledProgram compiled;
  compiled.code = ExecutableMemory(64);
  // Slots: 0 at 8, 1 (lddw) at 12 with its second slot 2, 3 emits nothing, 4 at 20; stubs at 30.
  compiled.insn_offsets = {8, 12, 12, 20, 20};
  compiled.second_slot = {false, false, true, false, false};
  compiled.instructions_end = 30;
  const uint64_t base = compiled.code.address();
  EXPECT_EQ(compiled.instruction_at(base + 7), -1);  // the trampoline
  EXPECT_EQ(compiled.instruction_at(base + 8), 0);
  EXPECT_EQ(compiled.instruction_at(base + 11), 0);
  EXPECT_EQ(compiled.instruction_at(base + 12), 1);
  EXPECT_EQ(compiled.instruction_at(base + 19), 1);  // never the second slot
  EXPECT_EQ(compiled.instruction_at(base + 20), 4);  // slot 3 has no code
  EXPECT_EQ(compiled.instruction_at(base + 29), 4);
  EXPECT_EQ(compiled.instruction_at(base + 30), -1);  // stubs
  EXPECT_EQ(compiled.instruction_at(base + 64), -1);  // outside
  EXPECT_EQ(compiled.instruction_starting_at(base + 12), 1);
  EXPECT_EQ(compiled.instruction_starting_at(base + 20), 3);  // control runs 3 (nothing), then 4
  EXPECT_EQ(compiled.instruction_starting_at(base + 13), -1);
  EXPECT_EQ(compiled.instruction_starting_at(base + 30), -1);
  EXPECT_TRUE(compiled.contains(base + 63));
  EXPECT_FALSE(compiled.contains(base + 64));
}

}  // namespace
}  // namespace nicsim::jit
