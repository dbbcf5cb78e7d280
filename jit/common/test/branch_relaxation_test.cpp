#include "jit/common/branch_relaxation.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "jit/common/code_buffer.h"

namespace nicsim::jit {
namespace {

// A toy instruction stream: fillers of some size, branches to a label, label bindings. Its
// branch encoding mimics x86 `jmp` (2 bytes with rel8 or 5 bytes with rel32) but the
// relaxer is architecture-neutral.
struct Item {
  enum Kind { Filler, Branch, Bind } kind;
  size_t value;  // filler bytes or label index
};

struct Layout {
  std::vector<uint8_t> bytes;
  std::vector<size_t> branch_offsets;
  std::vector<bool> branch_short;
  std::vector<size_t> label_offsets;
  int passes = 0;
};

Layout assemble(const std::vector<Item>& items, size_t label_count, RelaxationPolicy policy = {}) {
  BranchRelaxer relaxer(policy);
  for (;;) {
    CodeBuffer code;
    std::vector<Label> labels;
    for (size_t i = 0; i < label_count; ++i)
      labels.push_back(code.new_label());
    relaxer.begin_pass();
    Layout layout;
    for (const Item& item : items) {
      switch (item.kind) {
        case Item::Filler:
          for (size_t i = 0; i < item.value; ++i)
            code.put8(0x90);
          break;
        case Item::Bind:
          code.bind(labels[item.value]);
          break;
        case Item::Branch: {
          layout.branch_offsets.push_back(code.size());
          const bool is_short = relaxer.use_short(code, labels[item.value], 2, 5);
          layout.branch_short.push_back(is_short);
          if (is_short) {
            code.put8(0xeb);
            code.put8(0);
            code.add_fixup(FixupKind::Rel8, code.size() - 1, code.size(), labels[item.value]);
          } else {
            code.put8(0xe9);
            code.put32(0);
            code.add_fixup(FixupKind::Rel32, code.size() - 4, code.size(), labels[item.value]);
          }
          break;
        }
      }
    }
    if (relaxer.end_pass(code)) {
      code.link(0);
      layout.bytes.assign(code.bytes().begin(), code.bytes().end());
      for (const Label label : labels)
        layout.label_offsets.push_back(code.offset_of(label));
      layout.passes = relaxer.passes();
      return layout;
    }
  }
}

// Where the branch at `offset` of the linked code goes, decoded from its bytes.
size_t decoded_target(const Layout& layout, size_t offset) {
  if (layout.bytes[offset] == 0xeb)
    return offset + 2 + static_cast<int8_t>(layout.bytes[offset + 1]);
  int32_t rel;
  std::memcpy(&rel, layout.bytes.data() + offset + 1, 4);
  return offset + 5 + rel;
}

TEST(BranchRelaxer, ShortForwardBranchStaysShort) {
  const Layout layout = assemble({{Item::Branch, 0}, {Item::Filler, 127}, {Item::Bind, 0}}, 1);
  EXPECT_TRUE(layout.branch_short[0]);
  EXPECT_EQ(decoded_target(layout, 0), layout.label_offsets[0]);
  EXPECT_EQ(layout.passes, 2);
}

TEST(BranchRelaxer, FarForwardBranchBecomesLong) {
  const Layout layout = assemble({{Item::Branch, 0}, {Item::Filler, 128}, {Item::Bind, 0}}, 1);
  EXPECT_FALSE(layout.branch_short[0]);
  EXPECT_EQ(decoded_target(layout, 0), 133u);
}

TEST(BranchRelaxer, BackwardBranchesUseTheExactDistance) {
  // -128 from the end of a 2-byte branch is the farthest short backward branch.
  const Layout near = assemble({{Item::Bind, 0}, {Item::Filler, 126}, {Item::Branch, 0}}, 1);
  EXPECT_TRUE(near.branch_short[0]);
  EXPECT_EQ(decoded_target(near, 126), 0u);
  const Layout far = assemble({{Item::Bind, 0}, {Item::Filler, 127}, {Item::Branch, 0}}, 1);
  EXPECT_FALSE(far.branch_short[0]);
  EXPECT_EQ(decoded_target(far, 127), 0u);
}

TEST(BranchRelaxer, GrowthOfAnInnerBranchPushesAnOuterOneLong) {
  // The outer branch jumps over 123 filler bytes and the inner branch, whose target is far:
  // 125 bytes while the inner one is (optimistically) short, 128 once it is long, which no
  // longer fits in 8 bits, so the outer branch must turn long in a later pass.
  const std::vector<Item> items = {{Item::Branch, 0}, {Item::Filler, 123}, {Item::Branch, 1},
                                   {Item::Bind, 0},   {Item::Filler, 200}, {Item::Bind, 1}};
  const Layout layout = assemble(items, 2);
  EXPECT_FALSE(layout.branch_short[1]);
  EXPECT_FALSE(layout.branch_short[0]);  // 123 + 5 = 128 > 127
  EXPECT_GE(layout.passes, 3);
  EXPECT_EQ(decoded_target(layout, 0), layout.label_offsets[0]);
  EXPECT_EQ(decoded_target(layout, layout.branch_offsets[1]), layout.label_offsets[1]);

  const std::vector<Item> fits = {{Item::Branch, 0}, {Item::Filler, 122}, {Item::Branch, 1},
                                  {Item::Bind, 0},   {Item::Filler, 200}, {Item::Bind, 1}};
  EXPECT_TRUE(assemble(fits, 2).branch_short[0]);  // 122 + 5 = 127
}

// AArch64's policy: a reach measured from the branch's first byte, and the first pass in
// which every short branch reaches is final (FirstFit), even if a long one could now be short.
TEST(BranchRelaxer, FirstFitMeasuresFromTheBranchStartAndStopsEarly) {
  RelaxationPolicy policy;
  policy.reach = {-100, 100, ShortBranchReach::Origin::BranchStart};
  policy.convergence = Convergence::FirstFit;
  // 2 + 98 bytes to the label: a displacement of 100 from the branch start fits.
  const Layout near = assemble({{Item::Branch, 0}, {Item::Filler, 98}, {Item::Bind, 0}}, 1, policy);
  EXPECT_TRUE(near.branch_short[0]);
  EXPECT_EQ(near.passes, 1);
  const Layout far = assemble({{Item::Branch, 0}, {Item::Filler, 99}, {Item::Bind, 0}}, 1, policy);
  EXPECT_FALSE(far.branch_short[0]);
  EXPECT_EQ(decoded_target(far, 0), far.label_offsets[0]);
  EXPECT_EQ(far.passes, 2);
}

TEST(BranchRelaxer, RandomProgramsConvergeToTheSmallestConsistentLayout) {
  std::mt19937 random(1234);
  for (int round = 0; round < 200; ++round) {
    const size_t labels = 1 + random() % 12;
    std::vector<Item> items;
    std::vector<bool> bound(labels, false);
    for (int i = 0; i < 60; ++i) {
      switch (random() % 3) {
        case 0:
          items.push_back({Item::Filler, random() % 40});
          break;
        case 1:
          items.push_back({Item::Branch, random() % labels});
          break;
        default: {
          const size_t label = random() % labels;
          if (!bound[label]) items.push_back({Item::Bind, label});
          bound[label] = true;
        }
      }
    }
    for (size_t label = 0; label < labels; ++label) {
      if (!bound[label]) items.push_back({Item::Bind, label});
    }
    const Layout layout = assemble(items, labels);
    size_t branch = 0;
    for (const Item& item : items) {
      if (item.kind != Item::Branch) continue;
      const size_t offset = layout.branch_offsets[branch];
      const size_t target = layout.label_offsets[item.value];
      EXPECT_EQ(decoded_target(layout, offset), target) << "round " << round;
      // Minimality: no long branch would fit in its short form, all else equal. Shrinking a
      // forward branch moves its target too, so its displacement from its own end is kept.
      if (!layout.branch_short[branch]) {
        const bool forward = target > offset;
        const int64_t short_displacement =
            forward ? static_cast<int64_t>(target) - static_cast<int64_t>(offset + 5)
                    : static_cast<int64_t>(target) - static_cast<int64_t>(offset + 2);
        EXPECT_FALSE(short_displacement >= -128 && short_displacement <= 127)
            << "round " << round << " branch " << branch;
      }
      ++branch;
    }
    EXPECT_LE(layout.passes, 16);
  }
}

}  // namespace
}  // namespace nicsim::jit
