#include "jit/common/code_buffer.h"

#include <gtest/gtest.h>

#include <cstring>

#include "jit/common/jit_error.h"

namespace nicsim::jit {
namespace {

TEST(CodeBuffer, AppendsLittleEndianValues) {
  CodeBuffer code;
  code.put8(0x11);
  code.put16(0x2233);
  code.put32(0x44556677);
  code.put64(0x8899aabbccddeeffull);
  const uint8_t expected[] = {0x11, 0x33, 0x22, 0x77, 0x66, 0x55, 0x44, 0xff,
                              0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88};
  ASSERT_EQ(code.size(), sizeof(expected));
  EXPECT_EQ(std::memcmp(code.bytes().data(), expected, sizeof(expected)), 0);
}

TEST(CodeBuffer, PatchesInsideTheCodeOnly) {
  CodeBuffer code;
  code.put32(0);
  code.patch32(0, 0xdeadbeef);
  EXPECT_EQ(code.bytes()[0], 0xef);
  EXPECT_EQ(code.bytes()[3], 0xde);
  EXPECT_THROW(code.patch32(1, 0), JitError);
  EXPECT_THROW(code.patch8(4, 0), JitError);
  EXPECT_THROW(code.patch64(0, 0), JitError);
  EXPECT_THROW(code.patch32(SIZE_MAX - 1, 0), JitError);
}

TEST(CodeBuffer, RefusesToGrowPastItsLimit) {
  CodeBuffer code(8);
  code.put64(1);
  EXPECT_THROW(code.put8(0), JitError);
  EXPECT_EQ(code.size(), 8u);
}

TEST(CodeBuffer, LabelsBindOnceAtTheCurrentOffset) {
  CodeBuffer code;
  const Label a = code.new_label();
  const Label b = code.new_label();
  EXPECT_NE(a, b);
  EXPECT_FALSE(code.is_bound(a));
  code.put32(0);
  code.bind(a);
  EXPECT_TRUE(code.is_bound(a));
  EXPECT_EQ(code.offset_of(a), 4u);
  EXPECT_THROW(code.bind(a), JitError);
  EXPECT_THROW(code.offset_of(b), JitError);
  EXPECT_THROW(code.bind(Label{}), JitError);
  EXPECT_EQ(code.label_offsets()[b.id], CodeBuffer::kUnbound);
}

TEST(CodeBuffer, LinksRelativeFixupsFromTheInstructionEnd) {
  CodeBuffer code;
  const Label target = code.new_label();
  const Label back = code.new_label();
  code.bind(back);
  // A 2-byte "instruction" with a rel8 field at offset 1, then filler, then the target.
  code.put8(0xeb);
  code.put8(0);
  code.add_fixup(FixupKind::Rel8, 1, 2, target);
  code.put32(0x90909090);
  code.bind(target);  // offset 6: displacement 6 - 2 = 4
  code.put8(0xe9);
  code.put32(0);
  code.add_fixup(FixupKind::Rel32, 7, 11, back);  // 0 - 11 = -11
  code.link(0);
  EXPECT_EQ(code.bytes()[1], 4);
  int32_t rel32;
  std::memcpy(&rel32, code.bytes().data() + 7, 4);
  EXPECT_EQ(rel32, -11);
}

TEST(CodeBuffer, LinksAbsoluteAddressesAtTheLoadAddress) {
  CodeBuffer code;
  const Label target = code.new_label();
  code.put64(0);
  code.add_fixup(FixupKind::Abs64, 0, 8, target);
  code.put16(0);
  code.bind(target);
  code.link(0x7f0000001000ull);
  uint64_t value;
  std::memcpy(&value, code.bytes().data(), 8);
  EXPECT_EQ(value, 0x7f000000100aull);
}

TEST(CodeBuffer, RejectsDisplacementsThatDoNotFit) {
  CodeBuffer code;
  const Label target = code.new_label();
  code.put8(0xeb);
  code.put8(0);
  code.add_fixup(FixupKind::Rel8, 1, 2, target);
  for (int i = 0; i < 128; ++i)
    code.put8(0x90);
  code.bind(target);  // 128 bytes away: one too many for rel8
  EXPECT_THROW(code.link(0), JitError);
}

TEST(CodeBuffer, RejectsFixupsToUnboundLabels) {
  CodeBuffer code;
  const Label target = code.new_label();
  code.put32(0);
  code.add_fixup(FixupKind::Rel32, 0, 4, target);
  EXPECT_THROW(code.link(0), JitError);
  EXPECT_THROW(code.add_fixup(FixupKind::Rel32, 2, 6, target), JitError);  // field past the end
  EXPECT_THROW(code.add_fixup(FixupKind::Rel32, 0, 4, Label{99}), JitError);
}

// A made-up field: the word distance from the instruction to the label in the low 12 bits
// (signed), as AArch64 keeps scaled displacements inside the instruction word.
uint32_t word_distance_field(uint32_t word, uint64_t site, uint64_t target) {
  const int64_t words = (static_cast<int64_t>(target) - static_cast<int64_t>(site)) / 4;
  if (words < -2048 || words > 2047) throw JitError("word distance out of range");
  return (word & ~0xfffu) | (static_cast<uint32_t>(words) & 0xfffu);
}

TEST(CodeBuffer, LinksFieldsInsideInstructionWords) {
  CodeBuffer code;
  const Label forward = code.new_label();
  const Label back = code.new_label();
  code.bind(back);
  code.put32(0xabc00000);  // word 0: to `forward`, 3 words on
  code.add_word_fixup(word_distance_field, 0, forward);
  code.put32(0);
  code.put32(0x12345000);  // word 2: back to word 0
  code.add_word_fixup(word_distance_field, 8, back);
  code.bind(forward);
  code.link(0x10000);
  uint32_t first = 0, third = 0;
  std::memcpy(&first, code.bytes().data(), 4);
  std::memcpy(&third, code.bytes().data() + 8, 4);
  EXPECT_EQ(first, 0xabc00003u);  // the other bits are kept
  EXPECT_EQ(third, 0x12345ffeu);  // -2 words
}

TEST(CodeBuffer, WordFieldsThatCannotHoldTheDistanceFailTheLink) {
  CodeBuffer code;
  const Label far = code.new_label();
  code.put32(0);
  code.add_word_fixup(word_distance_field, 0, far);
  for (int i = 0; i < 2048; ++i)
    code.put32(0);
  code.bind(far);  // 2049 words on: one more than the field holds
  EXPECT_THROW(code.link(0), JitError);
  CodeBuffer other;  // a word fix-up to a label never bound
  other.put32(0);
  other.add_word_fixup(word_distance_field, 0, other.new_label());
  EXPECT_THROW(other.link(0), JitError);
}

}  // namespace
}  // namespace nicsim::jit
