// List scheduling into bundles: resource limits, program order where it matters, speculation
// only where it cannot be seen.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <utility>

#include "firmware/asm/nic_asm.h"
#include "firmware/isa/bundle.h"
#include "jit/nic/test/test_support.h"

namespace nicsim::jit::nic::test {
namespace {

using firmware::OpClass;

constexpr std::string_view kThreeLoads = R"(
  r3 = *(u8 *)(r1 + 0)
  r4 = *(u8 *)(r1 + 1)
  r5 = *(u8 *)(r1 + 2)
  r6 = *(u8 *)(r1 + 3)
  r0 = r3
  r0 += r4
  r0 += r5
  r0 += r6
  exit
)";

TEST(Scheduler, PacksIndependentOperationsWithinTheMemoryPorts) {
  const auto object = object_from_asm(kThreeLoads, ebpf::ProgramType::Unspec);
  const auto image = compile_object(object).image;
  size_t max_loads = 0;
  for (size_t b = 0; b < image.program_bundles; ++b) {
    size_t loads = 0;
    for (const auto& s : image.bundle(b))
      loads += s.op == OpClass::Load;
    max_loads = std::max(max_loads, loads);
  }
  EXPECT_EQ(max_loads, 2u) << "two memory ports, and the loads are independent";
  EXPECT_LT(image.program_bundles, 9u);
  EXPECT_EQ(run_raw_on_model(object, {1, 2, 3, 4}), 10u);
}

TEST(Scheduler, WithoutSchedulingOneOperationPerBundle) {
  const auto object = object_from_asm(kThreeLoads, ebpf::ProgramType::Unspec);
  const auto image = compile_object(object, only_without(Pass::Schedule)).image;
  for (size_t b = 0; b < image.program_bundles; ++b) {
    size_t used = 0;
    for (const auto& s : image.bundle(b))
      used += s.op != OpClass::Nop;
    EXPECT_LE(used, 1u) << "bundle " << b;
  }
  EXPECT_EQ(run_raw_on_model(object, {1, 2, 3, 4}, only_without(Pass::Schedule)), 10u);
}

TEST(Scheduler, EveryCoreShape) {
  const auto object = object_from_asm(kThreeLoads, ebpf::ProgramType::Unspec);
  size_t previous = SIZE_MAX;
  for (uint8_t lanes = 1; lanes <= firmware::kMaxLanes; ++lanes) {
    CompileOptions options;
    options.lanes = lanes;
    options.memory_ports = std::min<uint8_t>(lanes, 2);
    const auto image = compile_object(object, options).image;  // validated when emitted
    EXPECT_LE(image.program_bundles, previous) << lanes << " lanes";
    previous = image.program_bundles;
    EXPECT_EQ(run_raw_on_model(object, {1, 2, 3, 4}, options), 10u);
  }
}

// A load after its bounds check: proven in bounds where it runs, so it may run with the check,
// as ldnf (a short packet then reads 0 instead of faulting, and the value is unused).
constexpr std::string_view kGuardedLoad = R"(
  r2 = *(u32 *)(r1 + 4)
  r1 = *(u32 *)(r1 + 0)
  r3 = r1
  r3 += 14
  if r3 > r2 goto drop
  r0 = *(u16 *)(r1 + 12)
  r0 &= 3
  exit
drop:
  r0 = 1
  exit
)";

TEST(Scheduler, ProvenLoadsRunWithTheirGuardAsLdnf) {
  const auto object = object_from_asm(kGuardedLoad);
  const auto image = compile_object(object).image;
  bool together = false;
  for (size_t b = 0; b < image.program_bundles; ++b) {
    bool branch = false, speculative = false;
    for (const auto& s : image.bundle(b)) {
      branch |= s.op == OpClass::Branch;
      speculative |= s.op == OpClass::Load && s.no_fault;
    }
    together |= branch && speculative;
  }
  EXPECT_TRUE(together);
  expect_same_as_interpreter(object, {frame_of(10), frame_of(13), frame_of(14), frame_of(64)});
}

TEST(Scheduler, UnprovenLoadsAndStoresStayBehindTheirGuard) {
  const auto object = object_from_asm(R"(
      r2 = *(u32 *)(r1 + 4)
      r1 = *(u32 *)(r1 + 0)
      if r2 == 0 goto out
      r0 = *(u16 *)(r1 + 12)
      *(u8 *)(r1 + 0) = 1
      r0 &= 3
      exit
    out:
      r0 = 1
      exit)");
  ProgramFacts none;
  none.source = "none";
  none.insns.resize(object.programs[0].insns.size());
  const auto image = compile(object.programs[0], object, {}, &none).image;
  size_t branch_bundle = SIZE_MAX;
  for (size_t b = 0; b < image.program_bundles; ++b) {
    for (const auto& s : image.bundle(b)) {
      if (s.op == OpClass::Branch && s.cond != firmware::Cond::Always) branch_bundle = b;
      if ((s.op == OpClass::Load || s.op == OpClass::Store) && s.ra == 1) {
        EXPECT_GT(b, branch_bundle) << firmware::disassemble_bundle(image.bundle(b));
        EXPECT_FALSE(s.no_fault);
      }
    }
  }
  expect_same_as_interpreter(object, {frame_of(10), frame_of(64)});
}

TEST(Scheduler, SmallJoinBlocksAreCopiedIntoTheirPredecessors) {
  // Both arms store a key and fall into the same small block: copied into each arm, it joins
  // their superblocks.
  const auto object = object_from_asm(R"(
      r2 = *(u32 *)(r1 + 0)
      r3 = *(u8 *)(r2 + 0)
      if r3 == 1 goto one
      r4 = 5
      goto join
    one:
      r4 = 6
    join:
      r0 = r4
      r0 &= 3
      exit)");
  const auto result = compile_object(object);
  EXPECT_GT(result.report.schedule.duplicated, 0u);
  std::vector<uint8_t> a = frame_of(64), b = frame_of(64);
  a[0] = 1, b[0] = 2;
  expect_same_as_interpreter(object, {a, b});
}

TEST(Scheduler, RenamingFreesADefinitionFromAnEarlierRead) {
  // r1 is read by the store and then redefined as 1 for the atomic: renamed, the move no
  // longer waits for the store, nor the atomic behind it (without renaming it would come a
  // bundle after the store at the earliest).
  const auto object = object_from_asm(R"(
      r2 = *(u64 *)(r1 + 0)
      r3 = *(u64 *)(r1 + 8)
      r1 = r3
      r1 += 7
      *(u64 *)(r2 + 0) = r1
      r1 = 1
      lock *(u64 *)(r2 + 8) += r1
      r0 = 0
      exit)",
                                      ebpf::ProgramType::Unspec);
  const auto result = compile_object(object);
  EXPECT_GE(result.report.schedule.renamed, 1u);
  const firmware::Image& image = result.image;
  size_t store = 0, atomic = 0;
  for (size_t b = 0; b < image.program_bundles; ++b) {
    for (const auto& s : image.bundle(b)) {
      if (s.op == OpClass::Store) store = b;
      if (s.op == OpClass::Atomic) atomic = b;
    }
  }
  EXPECT_LE(atomic, store);
}

TEST(Scheduler, NoRenamingOfAValueABranchTakesAway) {
  // The shifted r0 leaves the block both through the branch and through the exit that
  // follows it (a copied exit block): it must stay in r0. (Found by the random-program test.)
  const auto object = object_from_asm(R"(
      r0 = *(u16 *)(r1 + 36)
      r0 >>= r0
      if w0 s< 66413 goto +1
      w2 = -w2
      exit)",
                                      ebpf::ProgramType::Unspec);
  std::vector<uint8_t> memory(64, 0);
  memory[36] = 0x02, memory[37] = 0x01;  // 0x0102 >> 2
  EXPECT_EQ(run_raw_on_model(object, memory), 0x40u);
}

ebpf::MapDefinition hash_map(const std::string& name) {
  ebpf::MapDefinition def;
  def.name = name;
  def.type = ebpf::MapType::Hash;
  def.key_size = 4;
  def.value_size = 8;
  def.max_entries = 16;
  return def;
}

// Stores through the values of two lookups, in maps `first` and `second`: how many bundles
// hold both stores.
size_t bundles_with_both_stores(int first, int second) {
  const auto object = object_from_asm(fmt::format(R"(
      *(u32 *)(r10 - 4) = 0
      r1 = map[id:{}]
      r2 = r10
      r2 += -4
      call 1
      if r0 == 0 goto out
      r6 = r0
      r1 = map[id:{}]
      r2 = r10
      r2 += -4
      call 1
      if r0 == 0 goto out
      *(u64 *)(r6 + 0) = 1
      *(u64 *)(r0 + 0) = 2
    out:
      r0 = 2
      exit)",
                                                  first, second),
                                      ebpf::ProgramType::Xdp, {hash_map("a"), hash_map("b")});
  const firmware::Image image = compile_object(object).image;
  size_t together = 0;
  for (size_t b = 0; b < image.program_bundles; ++b) {
    int stores = 0;
    for (const auto& s : image.bundle(b))
      stores += s.op == OpClass::Store;
    together += stores == 2;
  }
  return together;
}

TEST(Scheduler, ValuesOfDifferentMapsNeverAlias) {
  EXPECT_EQ(bundles_with_both_stores(0, 1), 1u);
  EXPECT_EQ(bundles_with_both_stores(0, 0), 0u) << "two values of one map may be the same";
}

// The bundle of the key's stack store and of the packet check before it, with the drop path
// reading the stack (a lookup with the same key) or not.
std::pair<size_t, size_t> key_store_and_check(bool drop_reads_stack) {
  const auto object = object_from_asm(fmt::format(R"(
      r2 = *(u32 *)(r1 + 4)
      r1 = *(u32 *)(r1 + 0)
      r3 = r1
      r3 += 14
      if r3 > r2 goto drop
      *(u32 *)(r10 - 4) = 1
      r1 = map[id:0]
      r2 = r10
      r2 += -4
      call 1
      if r0 == 0 goto drop
      r0 = 2
      exit
    drop:
      {}
      r0 = 1
      exit)",
                                                  drop_reads_stack ? R"(r1 = map[id:0]
      r2 = r10
      r2 += -4
      call 3)"
                                                                   : ""),
                                      ebpf::ProgramType::Xdp, {hash_map("a")});
  const firmware::Image image = compile_object(object).image;
  size_t store = 0, check = SIZE_MAX;
  for (size_t b = 0; b < image.program_bundles; ++b) {
    for (const auto& s : image.bundle(b)) {
      if (s.op == OpClass::Store) store = b;
      if (s.op == OpClass::Branch && s.cond == firmware::Cond::Gt && check == SIZE_MAX) check = b;
    }
  }
  return {store, check};
}

TEST(Scheduler, StackStoresRunEarlyWhenNoPathReadsThemBack) {
  const auto [store, check] = key_store_and_check(false);
  EXPECT_LE(store, check) << "the drop path never reads the stack";
  const auto [kept_store, kept_check] = key_store_and_check(true);
  EXPECT_GT(kept_store, kept_check) << "the drop path's helper reads the key";
}

TEST(Scheduler, StatsReportSuperblocksAndHoisting) {
  const auto object = object_from_asm(kGuardedLoad);
  const auto report = compile_object(object).report;
  EXPECT_GE(report.schedule.superblocks, 1u);
  EXPECT_GE(report.schedule.hoisted, 1u);
}

}  // namespace
}  // namespace nicsim::jit::nic::test
