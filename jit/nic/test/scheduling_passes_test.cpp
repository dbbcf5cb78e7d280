// The passes added for the load balancer's bar (issue #5, docs/nic-isa.md section 11):
// reassociation, hoisting out of switch joins, map-value speculation, dense scheduling, and
// array lookups whose key the zeroed stack decides. Each on a program made to need it, with
// its switch off as the comparison, and always against the interpreter.
#include <gtest/gtest.h>

#include "jit/nic/test/test_support.h"

namespace nicsim::jit::nic::test {
namespace {

using firmware::OpClass;

ebpf::MapDefinition hash_map(const std::string& name) {
  ebpf::MapDefinition def;
  def.name = name;
  def.type = ebpf::MapType::Hash;
  def.key_size = 4;
  def.value_size = 8;
  def.max_entries = 16;
  return def;
}

size_t changes(const CompileResult& r, Pass pass) {
  return r.report.changes[static_cast<size_t>(pass)];
}

std::vector<std::vector<uint8_t>> frames_with_first_byte(std::initializer_list<uint8_t> values) {
  std::vector<std::vector<uint8_t>> out;
  for (uint8_t v : values) {
    auto f = frame_of(64);
    f[0] = v;
    out.push_back(f);
  }
  out.push_back(frame_of(10));  // too short: the bounds check fails
  return out;
}

// Seven 16-bit fields summed one after another: a chain of 7 dependent adds, a tree of depth
// 3 once rebalanced.
constexpr const char* kSum = R"(
    r2 = *(u32 *)(r1 + 4)
    r1 = *(u32 *)(r1 + 0)
    r3 = r1
    r3 += 16
    if r3 > r2 goto out
    r4 = *(u16 *)(r1 + 0)
    r5 = *(u16 *)(r1 + 2)
    r6 = *(u16 *)(r1 + 4)
    r7 = *(u16 *)(r1 + 6)
    r8 = *(u16 *)(r1 + 8)
    r9 = *(u16 *)(r1 + 10)
    r0 = *(u16 *)(r1 + 12)
    r3 = *(u16 *)(r1 + 14)
    w0 += w4
    w0 += w5
    w0 += w6
    w0 += w7
    w0 += w8
    w0 += w9
    w0 += w3
    w0 &= 3
    exit
  out:
    r0 = 1
    exit)";

TEST(Reassociate, BalancesAnAddChain) {
  const auto object = object_from_asm(kSum);
  const CompileResult with = compile_object(object);
  const CompileResult without = compile_object(object, only_without(Pass::Reassociate));
  EXPECT_GE(changes(with, Pass::Reassociate), 3u) << "seven links: at least three pairs";
  EXPECT_EQ(changes(without, Pass::Reassociate), 0u);
  // The eight loads need four bundles at two memory ports whatever happens; behind them the
  // serial chain leaves 4 adds after the last load, the rebalanced one 2 (fusion has already
  // turned the first links into three-operand adds, which are not links).
  EXPECT_LE(with.image.program_bundles + 2, without.image.program_bundles)
      << disassemble_image(with.image) << disassemble_image(without.image);
  const auto frames = frames_with_first_byte({0, 1, 0xff, 0x7f});
  expect_same_as_interpreter(object, frames);
  expect_same_as_interpreter(object, frames, only_without(Pass::Reassociate));
}

// `if (p == 17 || p == 6)`: the header-length arithmetic after it waits for both tests unless
// it moves above them.
constexpr const char* kSwitch = R"(
    r2 = *(u32 *)(r1 + 4)
    r1 = *(u32 *)(r1 + 0)
    r3 = r1
    r3 += 16
    if r3 > r2 goto out
    r4 = *(u8 *)(r1 + 0)
    r5 = *(u8 *)(r1 + 1)
    if r4 == 17 goto l4
    if r4 != 6 goto other
  l4:
    w5 <<= 2
    w5 &= 60
    r5 += 7
    r0 = r5
    r0 &= 3
    exit
  other:
    r0 = 2
    exit
  out:
    r0 = 1
    exit)";

TEST(Hoist, MovesWorkOutOfASwitchJoin) {
  const auto object = object_from_asm(kSwitch);
  const CompileResult with = compile_object(object);
  const CompileResult without = compile_object(object, only_without(Pass::Hoist));
  EXPECT_GE(changes(with, Pass::Hoist), 3u) << disassemble_image(with.image);
  EXPECT_LT(with.image.program_bundles, without.image.program_bundles);
  const auto frames = frames_with_first_byte({17, 6, 5, 0});
  expect_same_as_interpreter(object, frames);
  expect_same_as_interpreter(object, frames, only_without(Pass::Hoist));
}

// A hash map entry is created, looked up and read: the read may run with the null check as an
// ldnf (the value lies inside the map's 8 bytes).
constexpr const char* kLookup = R"(
    r2 = *(u32 *)(r1 + 4)
    r1 = *(u32 *)(r1 + 0)
    r3 = r1
    r3 += 16
    if r3 > r2 goto out
    r6 = *(u8 *)(r1 + 0)
    *(u32 *)(r10 - 4) = r6
    r6 &= 1
    if r6 == 0 goto lookup
    r3 = 0x12345
    *(u64 *)(r10 - 16) = r3
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0
    r1 = map[id:0]
    call 2
  lookup:
    r2 = r10
    r2 += -4
    r1 = map[id:0]
    call 1
    if r0 == 0 goto missing
    r0 = *(u32 *)(r0 + 0)
    r0 &= 3
    exit
  missing:
    r0 = 2
    exit
  out:
    r0 = 1
    exit)";

TEST(MapSpeculation, ReadsTheValueWithTheNullCheck) {
  const auto object = object_from_asm(kLookup, ebpf::ProgramType::Xdp, {hash_map("flows")});
  const auto together = [](const firmware::Image& image) {
    for (size_t b = 0; b < image.program_bundles; ++b) {
      bool null_check = false, speculative = false;
      for (const auto& s : image.bundle(b)) {
        null_check |= s.op == OpClass::Branch && s.cond == firmware::Cond::Eq && s.ra == 0;
        speculative |= s.op == OpClass::Load && s.no_fault && s.ra == 0;
      }
      if (null_check && speculative) return true;
    }
    return false;
  };
  EXPECT_TRUE(together(compile_object(object).image))
      << disassemble_image(compile_object(object).image);
  EXPECT_FALSE(together(compile_object(object, only_without(Pass::MapSpeculation)).image));
  // Odd first bytes create the entry (found), even ones do not (null: the ldnf reads 0 and
  // the check leaves).
  const auto frames = frames_with_first_byte({1, 2, 3, 0x41});
  expect_same_as_interpreter(object, frames);
  expect_same_as_interpreter(object, frames, only_without(Pass::MapSpeculation));
}

TEST(MapSpeculation, NeverWithoutANullCheck) {
  // The load follows a branch on something else: it must stay a faulting load behind it.
  const auto object = object_from_asm(R"(
      r6 = *(u32 *)(r1 + 12)
      r2 = r10
      r2 += -4
      r1 = map[id:0]
      call 1
      if r6 == 99 goto out
      r0 = *(u32 *)(r0 + 0)
      exit
    out:
      r0 = 2
      exit)",
                                      ebpf::ProgramType::Xdp, {hash_map("flows")});
  const auto image = compile_object(object).image;
  EXPECT_EQ(count_slots(image, [](auto& s) { return s.op == OpClass::Load && s.no_fault; }), 0u);
  expect_same_as_interpreter(object, {frame_of(64)});  // null dereference: aborted on both
}

// A load's latency leaves a gap the latency-aware schedule fills with a bundle of its own; the
// dense schedule lets the scoreboard wait instead, in one bundle fewer.
constexpr const char* kGap = R"(
    r6 = *(u32 *)(r1 + 12)
    r3 = *(u64 *)(r10 - 8)
    r6 *= 3
    r6 += 1
    r3 += 1
    r0 = r3
    r0 += r6
    r0 &= 3
    exit)";

TEST(DenseSchedule, FewerBundlesWhenLatencyIsHidden) {
  const auto object = object_from_asm(kGap);
  const CompileResult with = compile_object(object);
  const CompileResult without = compile_object(object, only_without(Pass::DenseSchedule));
  EXPECT_LT(with.image.program_bundles, without.image.program_bundles)
      << disassemble_image(with.image) << disassemble_image(without.image);
  EXPECT_EQ(changes(with, Pass::DenseSchedule), 1u);
  expect_same_as_interpreter(object, {frame_of(64)});
}

TEST(ConstFold, ArrayLookupWithANeverWrittenKeyIsKeyZero) {
  // `zero` is never stored (the stack starts zeroed): the lookup is the address of entry 0.
  const auto object = object_from_asm(R"(
      r2 = r10
      r2 += -4
      r1 = map[id:0]
      call 1
      if r0 == 0 goto out
      r0 = *(u32 *)(r0 + 0)
      r0 += 2
      exit
    out:
      r0 = 1
      exit)",
                                      ebpf::ProgramType::Xdp, {array_map("config", 4, 4)});
  const auto image = compile_object(object).image;
  EXPECT_EQ(count_slots(image, [](auto& s) { return s.op == OpClass::HCall; }), 0u);
  EXPECT_EQ(count_slots(compile_object(object, only_without(Pass::ConstFold)).image,
                        [](auto& s) { return s.op == OpClass::HCall; }),
            1u);
  expect_same_as_interpreter(object, {frame_of(64)});
}

}  // namespace
}  // namespace nicsim::jit::nic::test
