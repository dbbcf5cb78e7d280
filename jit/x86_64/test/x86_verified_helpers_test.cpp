// Verified code's helper calls (x86-64): array lookups the verifier pinned to one map are
// computed inline (in range, out of range, per-CPU copies), and helpers with a verified
// variant are called directly. Every program also runs on the interpreter, which must agree.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <iterator>
#include <span>
#include <string>
#include <vector>

#include "ebpf/asm/assembler.h"
#include "ebpf/maps/map_flags.h"
#include "ebpf/runtime/helpers.h"
#include "jit/x86_64/test/verified_helpers_support.h"
#include "jit/x86_64/x86_disassembler.h"
#include "verifier/verifier.h"

namespace nicsim::jit::test {
namespace {

class X86VerifiedHelpers : public ::testing::Test {
 protected:
  void SetUp() override { NICSIM_REQUIRE_X86_64_HOST(); }
};

// The packet's first byte is the array index (a u32 on the stack); a found value's second
// u64 counts the lookups of its entry; r0 = 100 for a miss, else the index.
constexpr const char* kCountByFirstByte = R"(
  r2 = *(u32 *)(r1 + 0)
  r3 = *(u32 *)(r1 + 4)
  r4 = r2
  r4 += 1
  r0 = 1
  if r4 > r3 goto out
  r6 = *(u8 *)(r2 + 0)
  *(u32 *)(r10 - 4) = r6
  r1 = map[id:0]
  r2 = r10
  r2 += -4
  call 1
  r7 = r0
  r0 = 100
  if r7 == 0 goto out
  r8 = *(u64 *)(r7 + 8)
  r8 += 1
  *(u64 *)(r7 + 8) = r8
  r0 = r6
out:
  exit)";

uint64_t counter_of(ebpf::Map& map, uint32_t index, size_t offset) {
  std::vector<uint8_t> value(map.host_value_size());
  EXPECT_EQ(map.host_lookup(&index, value.data()), 0);
  uint64_t counter = 0;
  std::memcpy(&counter, value.data() + offset, sizeof counter);
  return counter;
}

TEST_F(X86VerifiedHelpers, ArrayLookupIsInlinedInAndOutOfBounds) {
  // 20-byte values: a 24-byte stride, which is not a power of two.
  const ebpf::ElfObject object =
      xdp_object(kCountByFirstByte, {map_definition("a", ebpf::MapType::Array, 4, 20, 5)});
  EXPECT_EQ(calls_in_verified_code(object), 0u);  // no helper call left

  const std::vector<DifferentialInput> inputs = {xdp_input({3}), xdp_input({0}),   xdp_input({4}),
                                                 xdp_input({5}), xdp_input({255}), xdp_input({3})};
  const DifferentialReport report = against_interpreter(object, inputs);
  ASSERT_TRUE(report.equal) << report.difference;
  // Indices 0..4 exist, 5 and 255 do not (max_entries 5).
  const std::vector<uint64_t> expected = {3, 0, 4, 100, 100, 3};
  ASSERT_EQ(report.candidate_results.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(report.candidate_results[i].return_value, expected[i]) << "packet " << i;

  // The values the inline code found are the map's own: the counts land in its entries.
  ebpf::Runtime runtime(object);
  const auto engine =
      make_x86_64_engine(verifier::verify_program(object, object.programs[0]), runtime);
  for (uint8_t index : {3, 3, 0, 4, 7}) {
    const std::vector<uint8_t> packet = {index};
    ebpf::XdpFrame frame(packet);
    engine->run_xdp(frame);
  }
  ebpf::Map& map = runtime.map(0);
  EXPECT_EQ(counter_of(map, 3, 8), 2u);
  EXPECT_EQ(counter_of(map, 0, 8), 1u);
  EXPECT_EQ(counter_of(map, 4, 8), 1u);
  EXPECT_EQ(counter_of(map, 1, 8), 0u);
}

TEST_F(X86VerifiedHelpers, PerCpuArrayLookupFindsTheCurrentCpusCopy) {
  const ebpf::ElfObject object =
      xdp_object(kCountByFirstByte, {map_definition("p", ebpf::MapType::PercpuArray, 4, 16, 4)});
  EXPECT_EQ(calls_in_verified_code(object), 0u);

  ebpf::RuntimeConfig four_cpus;
  four_cpus.num_cpus = 4;
  four_cpus.cpu = 2;
  const DifferentialReport report = against_interpreter(
      object, {xdp_input({1}), xdp_input({3}), xdp_input({4}), xdp_input({1})}, four_cpus);
  EXPECT_TRUE(report.equal) << report.difference;

  // The CPU can change between runs: each run counts in its own CPU's copy only. The host
  // layout holds the copies 16 bytes apart (round_up(value_size, 8)).
  ebpf::Runtime runtime(object, four_cpus);
  const auto engine =
      make_x86_64_engine(verifier::verify_program(object, object.programs[0]), runtime);
  for (const auto& [cpu, index] :
       std::vector<std::pair<uint32_t, uint8_t>>{{0, 1}, {3, 1}, {3, 1}, {1, 2}, {3, 9}}) {
    runtime.set_cpu(cpu);
    const std::vector<uint8_t> packet = {index};
    ebpf::XdpFrame frame(packet);
    EXPECT_EQ(engine->run_xdp(frame).return_value, index < 4 ? index : 100u);
  }
  ebpf::Map& map = runtime.map(0);
  EXPECT_EQ(counter_of(map, 1, 0 * 16 + 8), 1u);
  EXPECT_EQ(counter_of(map, 1, 3 * 16 + 8), 2u);
  EXPECT_EQ(counter_of(map, 1, 1 * 16 + 8), 0u);
  EXPECT_EQ(counter_of(map, 1, 2 * 16 + 8), 0u);
  EXPECT_EQ(counter_of(map, 2, 1 * 16 + 8), 1u);
}

// Two maps on two paths to one call: nothing pins the call to a map, the helper is called.
TEST_F(X86VerifiedHelpers, LookupOfAMapThatDependsOnThePathIsCalled) {
  const ebpf::ElfObject object = xdp_object(
      R"(
  r2 = *(u32 *)(r1 + 0)
  r3 = *(u32 *)(r1 + 4)
  r4 = r2
  r4 += 1
  r0 = 1
  if r4 > r3 goto out
  r6 = *(u8 *)(r2 + 0)
  *(u32 *)(r10 - 4) = 0
  r1 = map[id:0]
  if r6 > 127 goto lookup
  r1 = map[id:1]
lookup:
  r2 = r10
  r2 += -4
  call 1
  r7 = r0
  r0 = 2
  if r7 == 0 goto out
  r8 = *(u64 *)(r7 + 0)
  r8 += r6
  *(u64 *)(r7 + 0) = r8
  r0 = 3
out:
  exit)",
      {map_definition("low", ebpf::MapType::Array, 4, 8, 1),
       map_definition("high", ebpf::MapType::Array, 4, 8, 1)});
  // The call of the helper's thunk.
  EXPECT_EQ(calls_in_verified_code(object), 1u);
  const DifferentialReport report =
      against_interpreter(object, {xdp_input({5}), xdp_input({200}), xdp_input({7})});
  EXPECT_TRUE(report.equal) << report.difference;
}

// An array looked up in a map-in-map: the verifier knows it only by the outer map's inner map
// definition, while the slot holds another array of that shape. Nothing pins the inner call
// to a map: the lookup must reach the array in the slot.
TEST_F(X86VerifiedHelpers, LookupInAnInnerMapReachesTheMapInTheSlot) {
  ebpf::MapDefinition outer = map_definition("outer", ebpf::MapType::ArrayOfMaps, 4, 4, 1);
  outer.inner_map_index = 1;
  outer.initial_slots = {{0, "inner"}};
  const ebpf::ElfObject object = xdp_object(
      R"(
  *(u32 *)(r10 - 4) = 0
  r1 = map[id:0]
  r2 = r10
  r2 += -4
  call 1
  if r0 == 0 goto out
  r1 = r0
  r2 = r10
  r2 += -4
  call 1
  if r0 == 0 goto out
  r1 = *(u64 *)(r0 + 0)
  r1 += 5
  *(u64 *)(r0 + 0) = r1
out:
  r0 = 2
  exit)",
      {outer, map_definition("template", ebpf::MapType::Array, 4, 8, 2),
       map_definition("inner", ebpf::MapType::Array, 4, 8, 2)});
  const DifferentialReport report = against_interpreter(object, {xdp_input({1}), xdp_input({2})});
  EXPECT_TRUE(report.equal) << report.difference;

  ebpf::Runtime runtime(object);
  const auto engine =
      make_x86_64_engine(verifier::verify_program(object, object.programs[0]), runtime);
  const std::vector<uint8_t> packet = {1};
  ebpf::XdpFrame frame(packet);
  engine->run_xdp(frame);
  EXPECT_EQ(counter_of(runtime.map(2), 0, 0), 5u);  // the array in the slot
  EXPECT_EQ(counter_of(runtime.map(1), 0, 0), 0u);  // not the definition
}

// Helpers with a verified variant (hash lookup and update, the clock, random numbers, the CPU
// id, redirect, redirect_map) are called directly.
// Their results land in the array's value and in r0.
TEST_F(X86VerifiedHelpers, DirectHelperCallsGiveTheInterpretersResults) {
  const ebpf::ElfObject object =
      xdp_object(fmt::format(R"(
  r6 = r1
  r2 = *(u32 *)(r6 + 0)
  r3 = *(u32 *)(r6 + 4)
  r4 = r2
  r4 += 1
  r0 = 1
  if r4 > r3 goto out
  r7 = *(u8 *)(r2 + 0)
  *(u32 *)(r10 - 4) = 0
  r1 = map[id:0]
  r2 = r10
  r2 += -4
  call {lookup}
  if r0 == 0 goto out
  r8 = r0
  call {ktime}
  *(u64 *)(r8 + 0) = r0
  call {prandom}
  *(u64 *)(r8 + 8) = r0
  call {cpu}
  *(u64 *)(r8 + 16) = r0
  *(u64 *)(r10 - 16) = r7
  r1 = map[id:1]
  r2 = r10
  r2 += -16
  call {lookup}
  r9 = 0
  if r0 == 0 goto update
  r9 = *(u64 *)(r0 + 0)
update:
  r9 += 1
  *(u64 *)(r10 - 24) = r9
  r1 = map[id:1]
  r2 = r10
  r2 += -16
  r3 = r10
  r3 += -24
  r4 = 0
  call {update}
  *(u64 *)(r8 + 24) = r9
  r0 = 2
  if r7 > 100 goto out
  r1 = map[id:2]
  r2 = r7
  r3 = 2
  call {redirect_map}
  if r7 > 50 goto out
  r1 = r7
  r2 = 0
  call {redirect}
out:
  exit)",
                             fmt::arg("lookup", ebpf::kHelperMapLookupElem),
                             fmt::arg("update", ebpf::kHelperMapUpdateElem),
                             fmt::arg("ktime", ebpf::kHelperKtimeGetNs),
                             fmt::arg("prandom", ebpf::kHelperGetPrandomU32),
                             fmt::arg("cpu", ebpf::kHelperGetSmpProcessorId),
                             fmt::arg("redirect_map", ebpf::kHelperRedirectMap),
                             fmt::arg("redirect", ebpf::kHelperRedirect)),
                 {map_definition("results", ebpf::MapType::Array, 4, 32, 1),
                  map_definition("seen", ebpf::MapType::Hash, 8, 8, 16),
                  map_definition("ports", ebpf::MapType::Devmap, 4, 4, 4)});
  ebpf::RuntimeConfig config;
  config.num_cpus = 2;
  config.cpu = 1;
  const DifferentialReport report = against_interpreter(
      object, {xdp_input({7}), xdp_input({7}), xdp_input({77}), xdp_input({200}), xdp_input({7})},
      config);
  ASSERT_TRUE(report.equal) << report.difference;
  // Independently of the interpreter: redirect(7) for a small first byte, the failed
  // redirect_map's fallback (XDP_PASS) for a middle one, XDP_PASS above 100.
  const std::vector<uint64_t> expected = {4, 4, 2, 2, 4};  // XDP_REDIRECT = 4
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(report.candidate_results[i].return_value, expected[i]) << "packet " << i;
}

// Lookups of a hash map and an LPM trie, each pinned to its map, call the map's own lookup
// (Map::direct_lookup: no dispatch, the key size fixed): the code holds the functions'
// addresses, and the routes found, the counts and an LRU map's evictions are the
// interpreter's. A packet with a prefix length in byte 4 adds a route (map_update_elem);
// other packets look their first four bytes up and return the route's value (200: none).
TEST_F(X86VerifiedHelpers, PinnedHashAndLpmLookupsCallTheMapsOwnFunction) {
  ebpf::MapDefinition routes = map_definition("routes", ebpf::MapType::LpmTrie, 8, 4, 16);
  routes.flags = ebpf::kMapFlagNoPrealloc;
  const ebpf::ElfObject object = xdp_object(
      R"(
  r6 = r1
  r2 = *(u32 *)(r6 + 0)
  r3 = *(u32 *)(r6 + 4)
  r4 = r2
  r4 += 6
  r0 = 1
  if r4 > r3 goto out
  r7 = *(u32 *)(r2 + 0)
  r8 = *(u8 *)(r2 + 4)
  r9 = *(u8 *)(r2 + 5)
  *(u32 *)(r10 - 4) = r7
  if r8 == 0 goto query
  *(u32 *)(r10 - 8) = r8
  *(u32 *)(r10 - 12) = r9
  r1 = map[id:0]
  r2 = r10
  r2 += -8
  r3 = r10
  r3 += -12
  r4 = 0
  call 2
  r0 = 2
  goto out
query:
  *(u32 *)(r10 - 8) = 32
  r1 = map[id:0]
  r2 = r10
  r2 += -8
  call 1
  r8 = 200
  if r0 == 0 goto count
  r8 = *(u32 *)(r0 + 0)
count:
  r1 = map[id:1]
  r2 = r10
  r2 += -4
  call 1
  if r0 == 0 goto insert
  r1 = *(u64 *)(r0 + 0)
  r1 += 1
  *(u64 *)(r0 + 0) = r1
  r0 = r8
  goto out
insert:
  *(u64 *)(r10 - 24) = 1
  r1 = map[id:1]
  r2 = r10
  r2 += -4
  r3 = r10
  r3 += -24
  r4 = 0
  call 2
  r0 = r8
out:
  exit)",
      {routes, map_definition("seen", ebpf::MapType::LruHash, 4, 8, 3)});

  ebpf::Runtime runtime(object);
  const auto engine =
      make_x86_64_engine(verifier::verify_program(object, object.programs[0]), runtime);
  const std::span<const uint8_t> code = engine->entry().code.code();
  for (size_t map = 0; map < 2; ++map) {
    const auto function = reinterpret_cast<uint64_t>(runtime.map(map).direct_lookup());
    ASSERT_NE(function, 0u);
    uint8_t bytes[8];
    std::memcpy(bytes, &function, sizeof bytes);
    EXPECT_NE(std::search(code.begin(), code.end(), std::begin(bytes), std::end(bytes)), code.end())
        << "map " << map << ": no call of its direct lookup";
  }

  // Routes 10/8 -> 1, 10.1/16 -> 2, 10.1.2/24 -> 3; then five addresses through a 3-entry
  // LRU map: the fourth and fifth evict the least recently looked up.
  const std::vector<DifferentialInput> inputs = {
      xdp_input({10, 0, 0, 0, 8, 1}),  xdp_input({10, 1, 0, 0, 16, 2}),
      xdp_input({10, 1, 2, 0, 24, 3}), xdp_input({10, 1, 2, 3, 0, 0}),
      xdp_input({10, 1, 9, 9, 0, 0}),  xdp_input({10, 9, 9, 9, 0, 0}),
      xdp_input({10, 1, 2, 3, 0, 0}),  xdp_input({11, 0, 0, 0, 0, 0}),
      xdp_input({10, 1, 9, 9, 0, 0}),  xdp_input({10, 9, 9, 9, 0, 0}),
      xdp_input({10, 1, 2, 3, 0, 0})};
  const DifferentialReport report = against_interpreter(object, inputs);
  ASSERT_TRUE(report.equal) << report.difference;
  const std::vector<uint64_t> expected = {2, 2, 2, 3, 2, 1, 3, 200, 2, 1, 3};
  ASSERT_EQ(report.candidate_results.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(report.candidate_results[i].return_value, expected[i]) << "packet " << i;
}

}  // namespace
}  // namespace nicsim::jit::test
