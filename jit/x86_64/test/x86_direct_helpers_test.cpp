// Verified code's direct calls of the helpers that went through the helper stub before:
// xdp_adjust_head/tail/meta (the frame's limits still decide), csum_diff, fib_lookup,
// map_update_elem and map_delete_elem. Each result is checked against the interpreter and,
// where the helper's contract fixes it, against the expected value; the failing cases
// (adjustments beyond the frame, unaligned metadata, missed routes, existing keys) included.
// The run state is set up only where a stub still needs it, and the thunks enter C++ on a
// stack aligned for it whatever the prologue pushed.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <vector>

#include "ebpf/runtime/helpers.h"
#include "ebpf/runtime/xdp.h"
#include "jit/x86_64/test/verified_helpers_support.h"

namespace nicsim::jit::test {
namespace {

class X86DirectHelpers : public ::testing::Test {
 protected:
  void SetUp() override { NICSIM_REQUIRE_X86_64_HOST(); }
};

uint64_t low_byte(int error) {
  return static_cast<uint64_t>(error) & 0xff;
}

// A 64-byte packet whose first six bytes are the little-endian 16-bit deltas given to
// xdp_adjust_head, xdp_adjust_tail and xdp_adjust_meta.
DifferentialInput adjustments(int16_t head, int16_t tail, int16_t meta) {
  std::vector<uint8_t> packet(64, 0x5a);
  for (const auto& [at, delta] : {std::pair{0, head}, {2, tail}, {4, meta}}) {
    const auto bits = static_cast<uint16_t>(delta);
    packet[static_cast<size_t>(at)] = static_cast<uint8_t>(bits);
    packet[static_cast<size_t>(at) + 1] = static_cast<uint8_t>(bits >> 8);
  }
  return xdp_input(packet);
}

// Adjusts the metadata, the head and the tail by the packet's deltas, writes 0xab at the new
// head, and returns meta length << 40 | packet length << 24 | the three helpers' results'
// low bytes (head << 16 | tail << 8 | meta).
const std::string kAdjustments = fmt::format(R"(
  r6 = r1
  r2 = *(u32 *)(r6 + 0)
  r3 = *(u32 *)(r6 + 4)
  r4 = r2
  r4 += 6
  r0 = 0
  if r4 > r3 goto out
  r7 = *(u16 *)(r2 + 0)
  r7 <<= 48
  r7 s>>= 48
  r8 = *(u16 *)(r2 + 2)
  r8 <<= 48
  r8 s>>= 48
  r9 = *(u16 *)(r2 + 4)
  r9 <<= 48
  r9 s>>= 48
  r1 = r6
  r2 = r9
  call {meta}
  *(u64 *)(r10 - 8) = r0
  r1 = r6
  r2 = r7
  call {head}
  *(u64 *)(r10 - 16) = r0
  r1 = r6
  r2 = r8
  call {tail}
  r0 &= 0xff
  r0 <<= 8
  r7 = *(u64 *)(r10 - 16)
  r7 &= 0xff
  r7 <<= 16
  r0 |= r7
  r9 = *(u64 *)(r10 - 8)
  r9 &= 0xff
  r0 |= r9
  r2 = *(u32 *)(r6 + 0)
  r3 = *(u32 *)(r6 + 4)
  r4 = *(u32 *)(r6 + 8)
  r5 = r2
  r5 += 1
  if r5 > r3 goto lengths
  *(u8 *)(r2 + 0) = 0xab
lengths:
  r3 -= r2
  r3 <<= 24
  r0 |= r3
  r2 -= r4
  r2 <<= 40
  r0 |= r2
out:
  exit)",
                                             fmt::arg("head", ebpf::kHelperXdpAdjustHead),
                                             fmt::arg("tail", ebpf::kHelperXdpAdjustTail),
                                             fmt::arg("meta", ebpf::kHelperXdpAdjustMeta));

uint64_t adjusted(uint64_t meta_length, uint64_t length, int head, int tail, int meta) {
  return meta_length << 40 | length << 24 | low_byte(head) << 16 | low_byte(tail) << 8 |
         low_byte(meta);
}

TEST_F(X86DirectHelpers, AdjustmentsAreDirectCallsAndKeepTheFramesLimits) {
  const ebpf::ElfObject object = xdp_object(kAdjustments);
  EXPECT_EQ(calls_in_verified_code(object), 3u);
  // No stub is left, so the run state (r12) is not set up.
  const std::string prologue = verified_prologue(object);
  EXPECT_EQ(prologue.find("r12"), std::string::npos) << prologue;

  const DifferentialReport report = against_interpreter(
      object, {
                  adjustments(-16, 8, -8),      // all three succeed
                  adjustments(-300, 5000, -3),  // beyond the headroom and tailroom; unaligned
                  adjustments(60, -60, -40),    // less than an Ethernet header; metadata > 32
                  adjustments(50, -1, 0),       // 14 bytes left, so the tail cannot shrink
                  adjustments(-216, 0, 0),      // the whole headroom but the xdp_frame
                  adjustments(-217, 0, 0),      // one byte more
              });
  ASSERT_TRUE(report.equal) << report.difference;
  // The frame's limits (ebpf/runtime/xdp.h): 256 bytes of headroom of which the first 40
  // hold the xdp_frame, at least 14 bytes of packet, at most 32 bytes of metadata in words.
  const std::vector<uint64_t> expected = {
      adjusted(8, 64 + 16 + 8, 0, 0, 0),
      adjusted(0, 64, -EINVAL, -EINVAL, -EACCES),
      adjusted(0, 64, -EINVAL, -EINVAL, -EACCES),
      adjusted(0, 14, 0, -EINVAL, 0),
      adjusted(0, 64 + 216, 0, 0, 0),
      adjusted(0, 64, -EINVAL, 0, 0),
  };
  ASSERT_EQ(report.candidate_results.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(report.candidate_results[i].return_value, expected[i]) << "packet " << i;
}

TEST_F(X86DirectHelpers, AnAdjustmentWithoutTheFrameGuaranteedKeepsTheStub) {
  // The program never reads its context, so it may run on raw memory, where the helper finds
  // no frame and faults: only the checked path (the helper stub) can end the run there.
  const ebpf::ElfObject object =
      xdp_object(fmt::format("r2 = -8\ncall {}\nexit", ebpf::kHelperXdpAdjustHead));
  EXPECT_NE(verified_prologue(object).find("mov r12, rdx"), std::string::npos);
  const DifferentialReport report =
      against_interpreter(object, {xdp_input(std::vector<uint8_t>(64, 1)), raw_input({1, 2})});
  ASSERT_TRUE(report.equal) << report.difference;
  EXPECT_EQ(report.candidate_results.at(0).return_value, 0u);
  EXPECT_TRUE(report.candidate_results.at(1).aborted);
  EXPECT_NE(report.candidate_results[1].diagnostic.find("no XDP frame"), std::string::npos)
      << report.candidate_results[1].diagnostic;
}

TEST_F(X86DirectHelpers, AnAdjustmentBesideACheckedAccessKeepsTheStub) {
  // The last load's base is the stack on one path and the packet on the other: the verifier
  // accepts both, but proves no one kind, so the access stays checked against the packet
  // range of the run state, which only the helper stub refreshes after the adjustment.
  const ebpf::ElfObject object =
      xdp_object(fmt::format(R"(
  r6 = r1
  r2 = *(u32 *)(r6 + 0)
  r3 = *(u32 *)(r6 + 4)
  r4 = r2
  r4 += 8
  r0 = 0
  if r4 > r3 goto out
  r1 = r6
  r2 = -8
  call {head}
  r2 = *(u32 *)(r6 + 0)
  r3 = *(u32 *)(r6 + 4)
  r4 = r2
  r4 += 9
  r0 = 1
  if r4 > r3 goto out
  *(u64 *)(r10 - 8) = 7
  r5 = r10
  r5 += -8
  r1 = *(u8 *)(r2 + 8)
  if r1 > 100 goto read
  r5 = r2
read:
  r0 = *(u8 *)(r5 + 0)
out:
  exit)",
                             fmt::arg("head", ebpf::kHelperXdpAdjustHead)));
  EXPECT_NE(verified_prologue(object).find("mov r12, rdx"), std::string::npos);
  std::vector<uint8_t> low(64, 3), high(64, 200);
  const DifferentialReport report = against_interpreter(object, {xdp_input(low), xdp_input(high)});
  ASSERT_TRUE(report.equal) << report.difference;
  // Low: the byte at the new head (headroom is zero-initialised, not the packet's 3s).
  EXPECT_EQ(report.candidate_results.at(1).return_value, 7u);
}

TEST_F(X86DirectHelpers, CsumDiffIsADirectCall) {
  // csum_diff(from = 8 packet bytes, to = 12 packet bytes, seed), csum_diff of NULL and size 0
  // (the seed comes back), and an unaligned size (-EINVAL).
  const ebpf::ElfObject object = xdp_object(fmt::format(R"(
  r2 = *(u32 *)(r1 + 0)
  r3 = *(u32 *)(r1 + 4)
  r4 = r2
  r4 += 20
  r0 = 0
  if r4 > r3 goto out
  r1 = r2
  r3 = r2
  r3 += 8
  r2 = 8
  r4 = 12
  r5 = 0x1234
  call {csum}
  r6 = r0
  r1 = 0
  r2 = 0
  r3 = 0
  r4 = 0
  r5 = 0xbeef
  call {csum}
  r6 <<= 32
  r6 |= r0
  *(u64 *)(r10 - 8) = r6
  r1 = r10
  r1 += -8
  r2 = 6
  r3 = 0
  r4 = 0
  r5 = 0
  call {csum}
  r7 = *(u64 *)(r10 - 8)
  r0 += r7
out:
  exit)",
                                                        fmt::arg("csum", ebpf::kHelperCsumDiff)));
  EXPECT_EQ(calls_in_verified_code(object), 3u);
  EXPECT_EQ(verified_prologue(object).find("r12"), std::string::npos);
  std::vector<uint8_t> packet(32);
  for (size_t i = 0; i < packet.size(); ++i)
    packet[i] = static_cast<uint8_t>(i * 37 + 1);
  const DifferentialReport report =
      against_interpreter(object, {xdp_input(packet), xdp_input(std::vector<uint8_t>(32, 0xff))});
  ASSERT_TRUE(report.equal) << report.difference;
  for (const auto& result : report.candidate_results) {
    // The NULL call returns its seed; the unaligned size adds -EINVAL to the sum.
    const uint64_t both = result.return_value + static_cast<uint64_t>(EINVAL);
    EXPECT_EQ(both & 0xffffffff, 0xbeefu);
  }
}

TEST_F(X86DirectHelpers, MapUpdateAndDeleteAreDirectCalls) {
  // Key = the packet's first byte: update with BPF_NOEXIST, again (-EEXIST), delete, delete
  // again (-ENOENT), update with BPF_ANY; the array refuses deletes (-EINVAL).
  const ebpf::ElfObject object =
      xdp_object(fmt::format(R"(
  r2 = *(u32 *)(r1 + 0)
  r3 = *(u32 *)(r1 + 4)
  r4 = r2
  r4 += 1
  r0 = 0
  if r4 > r3 goto out
  r6 = *(u8 *)(r2 + 0)
  *(u64 *)(r10 - 8) = r6
  *(u64 *)(r10 - 16) = 99
  r1 = map[id:0]
  r2 = r10
  r2 += -8
  r3 = r10
  r3 += -16
  r4 = 1
  call {update}
  r7 = r0
  r7 &= 0xff
  r1 = map[id:0]
  r2 = r10
  r2 += -8
  r3 = r10
  r3 += -16
  r4 = 1
  call {update}
  r7 <<= 8
  r0 &= 0xff
  r7 |= r0
  r1 = map[id:0]
  r2 = r10
  r2 += -8
  call {delete}
  r7 <<= 8
  r0 &= 0xff
  r7 |= r0
  r1 = map[id:0]
  r2 = r10
  r2 += -8
  call {delete}
  r7 <<= 8
  r0 &= 0xff
  r7 |= r0
  *(u64 *)(r10 - 16) = r6
  r1 = map[id:0]
  r2 = r10
  r2 += -8
  r3 = r10
  r3 += -16
  r4 = 0
  call {update}
  *(u32 *)(r10 - 20) = 0
  r1 = map[id:1]
  r2 = r10
  r2 += -20
  call {delete}
  r7 <<= 8
  r0 &= 0xff
  r7 |= r0
  r0 = r7
out:
  exit)",
                             fmt::arg("update", ebpf::kHelperMapUpdateElem),
                             fmt::arg("delete", ebpf::kHelperMapDeleteElem)),
                 {map_definition("h", ebpf::MapType::Hash, 8, 8, 4),
                  map_definition("a", ebpf::MapType::Array, 4, 8, 1)});
  EXPECT_EQ(verified_prologue(object).find("r12"), std::string::npos);
  const DifferentialReport report =
      against_interpreter(object, {xdp_input({5}), xdp_input({6}), xdp_input({5})});
  ASSERT_TRUE(report.equal) << report.difference;  // the maps' contents too
  // The last update (BPF_ANY) leaves the key in the map: the next run with that key finds it.
  const uint64_t deleted = low_byte(-EEXIST) << 24 | low_byte(-ENOENT) << 8 | low_byte(-EINVAL);
  const uint64_t present = low_byte(-EEXIST) << 32 | deleted;
  ASSERT_EQ(report.candidate_results.size(), 3u);
  EXPECT_EQ(report.candidate_results[0].return_value, deleted);
  EXPECT_EQ(report.candidate_results[1].return_value, deleted);
  EXPECT_EQ(report.candidate_results[2].return_value, present);
}

// Routes: 10/8 with a neighbour (ifindex 3), 192.168/16 without one (ifindex 4), 172.16/12
// with an MTU of 100.
void add_routes(ebpf::Runtime& runtime) {
  ebpf::FibRoute with_neighbour;
  with_neighbour.prefix = {10};
  with_neighbour.prefix_length = 8;
  with_neighbour.ifindex = 3;
  with_neighbour.dmac = std::array<uint8_t, 6>{2, 0, 0, 0, 0, 9};
  runtime.fib().add_route(with_neighbour);
  ebpf::FibRoute without_neighbour;
  without_neighbour.prefix = {192, 168};
  without_neighbour.prefix_length = 16;
  without_neighbour.ifindex = 4;
  runtime.fib().add_route(without_neighbour);
  ebpf::FibRoute small_mtu;
  small_mtu.prefix = {172, 16};
  small_mtu.prefix_length = 12;
  small_mtu.ifindex = 5;
  small_mtu.dmac = std::array<uint8_t, 6>{2, 0, 0, 0, 0, 7};
  small_mtu.mtu = 100;
  runtime.fib().add_route(small_mtu);
}

// A packet: family, a pad byte, tot_len (little-endian), the IPv4 destination.
DifferentialInput fib_query(uint8_t family, uint16_t tot_len, std::array<uint8_t, 4> dst) {
  return xdp_input({family, 0, static_cast<uint8_t>(tot_len), static_cast<uint8_t>(tot_len >> 8),
                    dst[0], dst[1], dst[2], dst[3]});
}

// bpf_fib_lookup(ctx, params on the stack, 64, 0): r0 = ifindex << 32 | result.
const std::string kFibLookup = fmt::format(R"(
  r6 = r1
  r2 = *(u32 *)(r6 + 0)
  r3 = *(u32 *)(r6 + 4)
  r4 = r2
  r4 += 8
  r0 = 0
  if r4 > r3 goto out
  r7 = 0
  *(u64 *)(r10 - 8) = r7
  *(u64 *)(r10 - 16) = r7
  *(u64 *)(r10 - 24) = r7
  *(u64 *)(r10 - 32) = r7
  *(u64 *)(r10 - 40) = r7
  *(u64 *)(r10 - 48) = r7
  *(u64 *)(r10 - 56) = r7
  *(u64 *)(r10 - 64) = r7
  r7 = *(u8 *)(r2 + 0)
  *(u8 *)(r10 - 64) = r7
  r7 = *(u16 *)(r2 + 2)
  *(u16 *)(r10 - 58) = r7
  r7 = *(u32 *)(r2 + 4)
  *(u32 *)(r10 - 32) = r7
  r1 = r6
  r2 = r10
  r2 += -64
  r3 = 64
  r4 = 0
  call {fib}
  r7 = *(u32 *)(r10 - 56)
  r7 <<= 32
  w0 = w0
  r0 |= r7
out:
  exit)",
                                           fmt::arg("fib", ebpf::kHelperFibLookup));

TEST_F(X86DirectHelpers, FibLookupIsADirectCallHitsAndMissesIncluded) {
  const ebpf::ElfObject object = xdp_object(kFibLookup);
  EXPECT_EQ(calls_in_verified_code(object), 1u);
  EXPECT_EQ(verified_prologue(object).find("r12"), std::string::npos);
  constexpr uint8_t kInet = 2;
  const DifferentialReport report =
      against_interpreter(object,
                          {
                              fib_query(kInet, 60, {10, 1, 2, 3}),     // forwarded
                              fib_query(kInet, 60, {192, 168, 0, 1}),  // no neighbour
                              fib_query(kInet, 200, {172, 16, 0, 1}),  // over the MTU
                              fib_query(kInet, 60, {11, 0, 0, 1}),     // no route
                              fib_query(99, 60, {10, 1, 2, 3}),        // unknown family
                          },
                          {}, add_routes);
  ASSERT_TRUE(report.equal) << report.difference;
  // struct bpf_fib_lookup's results (BPF_FIB_LKUP_RET_*): SUCCESS 0, NOT_FWDED 4,
  // NO_NEIGH 7, FRAG_NEEDED 8; the ifindex is written on success and without a neighbour.
  const std::vector<uint64_t> expected = {uint64_t{3} << 32 | 0, uint64_t{4} << 32 | 7, 8, 4,
                                          static_cast<uint32_t>(-EAFNOSUPPORT)};
  ASSERT_EQ(report.candidate_results.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(report.candidate_results[i].return_value, expected[i]) << "packet " << i;
}

size_t pushes_in(const std::string& prologue) {
  size_t pushes = 0;
  for (size_t at = prologue.find("push "); at != std::string::npos;
       at = prologue.find("push ", at + 1))
    ++pushes;
  return pushes;
}

// A body that calls only helper thunks runs at rsp 0 mod 16, and each thunk jumps to its
// function, which returns to the call site: the function is entered at 8 mod 16, as if
// called from an aligned stack. With every number of callee-saved registers pushed (r6..r9
// used or not, r10 for the frame) the prologue pushes an odd number of registers.
// fib_lookup's variant copies its parameters through the stack with aligned SSE stores in
// this Release build (movaps), so a misaligned entry crashes.
TEST_F(X86DirectHelpers, ThunksJumpToTheHelperOnAnAlignedStackWhateverTheProloguePushed) {
  // kFibLookup uses r6, r7 and r10 (three pushes); r8 and r9 make four (then one to align)
  // and five.
  for (const std::string extra : {"", "  r8 = 8\n", "  r8 = 8\n  r9 = 9\n"}) {
    std::string source = kFibLookup;
    source.replace(source.find("out:"), 4, extra + "out:");
    SCOPED_TRACE(source);
    const ebpf::ElfObject object = xdp_object(source);
    const std::string prologue = verified_prologue(object);
    EXPECT_EQ(pushes_in(prologue) % 2, 1u) << prologue;
    const std::string thunks = verified_stubs(object);
    EXPECT_NE(thunks.find("jmp r11"), std::string::npos) << thunks;
    EXPECT_EQ(thunks.find("call r11"), std::string::npos) << thunks;
    const DifferentialReport report =
        against_interpreter(object, {fib_query(2, 60, {10, 0, 0, 1})}, {}, add_routes);
    EXPECT_TRUE(report.equal) << report.difference;
    EXPECT_EQ(report.candidate_results.at(0).return_value, uint64_t{3} << 32);
  }
}

// A body that also calls the helper stub (trace_printk keeps it in verified code) runs at
// 8 mod 16, as the stubs need: there the thunk calls its function from 0 mod 16 and returns.
TEST_F(X86DirectHelpers, ThunksCallTheHelperWhereTheBodyAlsoCallsStubs) {
  std::string source = kFibLookup;
  source.replace(source.find("  r2 = *(u32 *)(r6 + 0)"), 0,
                 fmt::format(R"(  r1 = 0x0a6968
  *(u32 *)(r10 - 72) = r1
  r1 = r10
  r1 += -72
  r2 = 4
  call {printk}
)",
                             fmt::arg("printk", ebpf::kHelperTracePrintk)));
  SCOPED_TRACE(source);
  const ebpf::ElfObject object = xdp_object(source);
  const std::string prologue = verified_prologue(object);
  EXPECT_NE(prologue.find("r12"), std::string::npos) << prologue;
  EXPECT_EQ(pushes_in(prologue) % 2, 0u) << prologue;
  const std::string thunks = verified_stubs(object);
  EXPECT_NE(thunks.find("call r11"), std::string::npos) << thunks;
  const DifferentialReport report = against_interpreter(
      object, {fib_query(2, 60, {10, 0, 0, 1}), fib_query(2, 60, {11, 0, 0, 1})}, {}, add_routes);
  EXPECT_TRUE(report.equal) << report.difference;
  ASSERT_EQ(report.candidate_results.size(), 2u);
  EXPECT_EQ(report.candidate_results[0].return_value, uint64_t{3} << 32);
  EXPECT_EQ(report.candidate_results[1].return_value, 4u);  // no route: BPF_FIB_LKUP_RET_NOT_FWDED
}

}  // namespace
}  // namespace nicsim::jit::test
