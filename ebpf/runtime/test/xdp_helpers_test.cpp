#include <gtest/gtest.h>

#include <cerrno>
#include <memory>
#include <random>
#include <vector>

#include "ebpf/runtime/test/runtime_test_support.h"

namespace nicsim::ebpf::test {
namespace {

// RFC 1071, computed the textbook way: big-endian 16-bit words, end-around carry, complement.
uint16_t rfc1071_checksum(const uint8_t* data, size_t length) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < length; i += 2)
    sum += (data[i] << 8) | data[i + 1];
  if (length % 2) sum += data[length - 1] << 8;
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

// The 16-bit checksum field for a 32-bit partial sum as bpf_csum_diff returns it (csum_fold),
// read as the two bytes in memory order.
uint16_t folded_field_big_endian(uint64_t partial_sum) {
  uint32_t sum = static_cast<uint32_t>(partial_sum);
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  const auto host_order = static_cast<uint16_t>(~sum);
  // The sum was taken over little-endian words: its bytes in memory are the big-endian result.
  return static_cast<uint16_t>((host_order >> 8) | (host_order << 8));
}

TEST(CsumDiffHelper, MatchesRfc1071OnRandomData) {
  TestWorld world;
  std::mt19937 rng(1071);
  for (int round = 0; round < 200; ++round) {
    const size_t length = 4 * (1 + rng() % 128);  // 4..512 bytes
    for (size_t i = 0; i < length; ++i)
      world.stack[i] = static_cast<uint8_t>(rng());
    const uint64_t sum = world.call(kHelperCsumDiff, 0, 0, address_of(world.stack), length, 0);
    ASSERT_EQ(folded_field_big_endian(sum), rfc1071_checksum(world.stack, length))
        << "length " << length;
  }
  EXPECT_EQ(world.fault(), "");
}

TEST(CsumDiffHelper, IncrementalUpdateEqualsRecomputation) {
  TestWorld world;
  std::mt19937 rng(4);
  for (int round = 0; round < 100; ++round) {
    uint8_t header[20];
    for (auto& b : header)
      b = static_cast<uint8_t>(rng());
    header[10] = header[11] = 0;
    const uint16_t check = rfc1071_checksum(header, 20);
    header[10] = static_cast<uint8_t>(check >> 8);
    header[11] = static_cast<uint8_t>(check);
    // Rewrite the destination address (bytes 16..19) the way XDP load balancers do.
    uint8_t new_address[4];
    for (auto& b : new_address)
      b = static_cast<uint8_t>(rng());
    std::memcpy(world.stack, header + 16, 4);
    std::memcpy(world.stack + 8, new_address, 4);
    const uint64_t from = address_of(world.stack), to = address_of(world.stack + 8);
    uint16_t field;
    std::memcpy(&field, header + 10, 2);
    const uint64_t sum = world.call(kHelperCsumDiff, from, 4, to, 4, static_cast<uint16_t>(~field));
    std::memcpy(header + 16, new_address, 4);
    header[10] = header[11] = 0;
    ASSERT_EQ(folded_field_big_endian(sum), rfc1071_checksum(header, 20));
  }
}

TEST(CsumDiffHelper, KernelArgumentRules) {
  TestWorld world;
  const uint64_t data = address_of(world.stack);
  EXPECT_EQ(world.call(kHelperCsumDiff, 0, 0, 0, 0, 0x1234), 0x1234u);  // only the seed
  EXPECT_EQ(as_signed(world.call(kHelperCsumDiff, data, 2, data, 4, 0)), -EINVAL);
  EXPECT_EQ(as_signed(world.call(kHelperCsumDiff, data, 4, data, 6, 0)), -EINVAL);
  EXPECT_EQ(as_signed(world.call(kHelperCsumDiff, data, 256, data, 260, 0)), -EINVAL);  // > 512
  EXPECT_EQ(world.fault(), "");
  // ~from + from cancel out: the result is congruent to the seed (0 as 0xffffffff).
  world.on_stack<uint32_t>(0, 0xdeadbeef);
  EXPECT_EQ(world.call(kHelperCsumDiff, data, 4, data, 4, 0), 0xffffffffu);
  world.call(kHelperCsumDiff, 0x10, 4, data, 4, 0);
  EXPECT_EQ(world.fault(), "helper csum_diff: from pointer 0x10 is not readable for 4 bytes");
}

struct XdpWorld : TestWorld {
  XdpFrame frame;
  explicit XdpWorld(std::vector<MapDefinition> maps = {})
      : TestWorld(std::move(maps)), frame(std::vector<uint8_t>(64, 0xab)) {
    runtime->begin_invocation(&frame);
  }
  uint64_t ctx() { return address_of(frame.context()); }
};

TEST(XdpAdjustHelpers, ChangeTheFrame) {
  XdpWorld world;
  EXPECT_EQ(world.call(kHelperXdpAdjustHead, world.ctx(), static_cast<uint64_t>(-14)), 0u);
  EXPECT_EQ(world.frame.length(), 78u);
  EXPECT_EQ(world.call(kHelperXdpAdjustTail, world.ctx(), static_cast<uint64_t>(-8)), 0u);
  EXPECT_EQ(world.frame.length(), 70u);
  EXPECT_EQ(world.call(kHelperXdpAdjustMeta, world.ctx(), static_cast<uint64_t>(-8)), 0u);
  EXPECT_EQ(world.frame.meta_length(), 8u);
  // The packet and metadata are accessible where the frame now puts them.
  const XdpContextShadow* ctx = world.frame.context();
  EXPECT_TRUE(world.runtime->accessible(ctx->data_meta, 8 + 70, true));
  // Failures are the frame's errno, and leave it unchanged.
  EXPECT_EQ(as_signed(world.call(kHelperXdpAdjustHead, world.ctx(), 1000)), -EINVAL);
  EXPECT_EQ(as_signed(world.call(kHelperXdpAdjustMeta, world.ctx(), static_cast<uint64_t>(-2))),
            -EACCES);
  EXPECT_EQ(world.frame.length(), 70u);
  EXPECT_EQ(world.fault(), "");
}

// A frame is one page, as a driver's XDP buffer: the packet always starts at the same place
// within its page, whatever the heap did before (so do its adjustments, within the page).
TEST(XdpFrameLayout, EveryFrameStartsOnAPage) {
  std::vector<std::unique_ptr<XdpFrame>> frames;
  for (size_t size : {14u, 64u, 1500u, 5000u})
    frames.push_back(std::make_unique<XdpFrame>(std::vector<uint8_t>(size, 0xab)));
  for (auto& frame : frames) {
    EXPECT_EQ(reinterpret_cast<uintptr_t>(frame->hard_start()) % kXdpFrameSize, 0u);
    EXPECT_EQ(frame->data() - frame->hard_start(), kXdpPacketHeadroom);
    EXPECT_EQ(frame->packet().front(), 0xab);
  }
  ASSERT_EQ(frames[0]->adjust_head(-14), 0);
  EXPECT_EQ(frames[0]->data() - frames[0]->hard_start(), kXdpPacketHeadroom - 14);
}

TEST(XdpAdjustHelpers, FaultWithoutAFrameOrWithAnotherContext) {
  XdpWorld world;
  world.call(kHelperXdpAdjustHead, world.ctx() + 8, 0);
  EXPECT_EQ(world.fault(),
            fmt::format("helper xdp_adjust_head: context pointer {:#x} is not the XDP context",
                        world.ctx() + 8));
  TestWorld no_frame;
  no_frame.call(kHelperXdpAdjustTail, 0x1000, 0);
  EXPECT_EQ(no_frame.fault(),
            "helper xdp_adjust_tail: no XDP frame (the program is not running on a packet)");
}

TEST(RedirectHelper, SetsTheTargetInterface) {
  XdpWorld world;
  EXPECT_EQ(world.call(kHelperRedirect, 7, 0), 4u);  // XDP_REDIRECT
  EXPECT_EQ(world.runtime->redirect().kind, RedirectTarget::Kind::Ifindex);
  EXPECT_EQ(world.runtime->redirect().ifindex, 7u);
  EXPECT_EQ(world.call(kHelperRedirect, 8, 1), 0u);  // any flag: XDP_ABORTED
  EXPECT_EQ(world.runtime->redirect().ifindex, 7u);
}

TEST(RedirectMapHelper, DevmapHitAndFallbackOnMiss) {
  XdpWorld world({map_def("ports", MapType::Devmap, 4, 4, 4)});
  const uint32_t slot = 1, ifindex = 5;
  ASSERT_EQ(world.runtime->map(0).host_update(&slot, &ifindex, 0), 0);
  EXPECT_EQ(world.call(kHelperRedirectMap, world.map(0), 1, 0), 4u);
  const RedirectTarget target = world.runtime->redirect();
  EXPECT_EQ(target.kind, RedirectTarget::Kind::Devmap);
  EXPECT_EQ(target.ifindex, 5u);
  EXPECT_EQ(target.key, 1u);
  EXPECT_EQ(target.map_index, 0u);
  // A miss returns the low two bits of flags and forgets the earlier target.
  EXPECT_EQ(world.call(kHelperRedirectMap, world.map(0), 2, 2), 2u);  // XDP_PASS
  EXPECT_EQ(world.runtime->redirect().kind, RedirectTarget::Kind::None);
  EXPECT_EQ(world.call(kHelperRedirectMap, world.map(0), 3, 0), 0u);
  EXPECT_EQ(world.call(kHelperRedirectMap, world.map(0), 99, 1), 1u);  // out of range: XDP_DROP
  // Unknown flag bits abort.
  EXPECT_EQ(world.call(kHelperRedirectMap, world.map(0), 1, 1u << 5), 0u);
  // Broadcast redirects even without an entry.
  EXPECT_EQ(world.call(kHelperRedirectMap, world.map(0), 0, (1u << 3) | (1u << 4)), 4u);
  EXPECT_EQ(world.runtime->redirect().kind, RedirectTarget::Kind::Devmap);
  EXPECT_EQ(world.runtime->redirect().flags, (1u << 3) | (1u << 4));
  EXPECT_EQ(world.fault(), "");
}

TEST(RedirectMapHelper, CpumapAndXskmapTargetTheKey) {
  XdpWorld world(
      {map_def("cpus", MapType::Cpumap, 4, 4, 4), map_def("xsks", MapType::Xskmap, 4, 4, 4)});
  const uint32_t cpu = 0, qsize = 64, queue = 2, socket = 11;
  ASSERT_EQ(world.runtime->map(0).host_update(&cpu, &qsize, 0), 0);
  ASSERT_EQ(world.runtime->map(1).host_update(&queue, &socket, 0), 0);
  EXPECT_EQ(world.call(kHelperRedirectMap, world.map(0), 0, 0), 4u);
  EXPECT_EQ(world.runtime->redirect().kind, RedirectTarget::Kind::Cpumap);
  EXPECT_EQ(world.runtime->redirect().ifindex, 0u);
  EXPECT_EQ(world.call(kHelperRedirectMap, world.map(1), 2, 0), 4u);
  EXPECT_EQ(world.runtime->redirect().kind, RedirectTarget::Kind::Xskmap);
  EXPECT_EQ(world.runtime->redirect().ifindex, 2u);
  EXPECT_EQ(world.runtime->redirect().map_index, 1u);
  // Broadcast is a devmap flag only.
  EXPECT_EQ(world.call(kHelperRedirectMap, world.map(0), 0, 1u << 3), 0u);
}

// bpf_redirect_map records the map by its index, which each map keeps from its creation:
// every map of a Runtime is found at its own index, a map of another Runtime at none.
TEST(RedirectMapHelper, MapsAreFoundAtTheIndexTheRuntimeCreatedThemAt) {
  XdpWorld world({map_def("a", MapType::Devmap, 4, 4, 4), map_def("b", MapType::Hash, 4, 4, 4),
                  map_def("c", MapType::Devmap, 4, 4, 4)});
  XdpWorld other({map_def("a", MapType::Devmap, 4, 4, 4)});
  for (size_t i = 0; i < 3; ++i)
    EXPECT_EQ(world.runtime->map_index(&world.runtime->map(i)), static_cast<int>(i));
  EXPECT_EQ(world.runtime->map_index(&other.runtime->map(0)), -1);
  const uint32_t slot = 0, ifindex = 9;
  ASSERT_EQ(world.runtime->map(2).host_update(&slot, &ifindex, 0), 0);
  EXPECT_EQ(world.call(kHelperRedirectMap, world.map(2), 0, 0), 4u);
  EXPECT_EQ(world.runtime->redirect().map_index, 2u);
  EXPECT_EQ(world.runtime->redirect().ifindex, 9u);
}

TEST(RedirectMapHelper, OtherMapsFault) {
  XdpWorld world({map_def("table", MapType::Hash, 4, 4, 4)});
  world.call(kHelperRedirectMap, world.map(0), 0, 0);
  EXPECT_EQ(world.fault(),
            "helper redirect_map: map 'table' (hash) is not a devmap, cpumap or xskmap");
}

TEST(MiscHelpers, ClockRandomAndProbeRead) {
  RuntimeConfig config;
  config.start_time_ns = 5000;
  TestWorld world({}, config);
  EXPECT_EQ(world.call(kHelperKtimeGetNs), 5000u);
  world.runtime->set_now_ns(7000);
  EXPECT_EQ(world.call(kHelperKtimeGetBootNs), 7000u);
  EXPECT_EQ(world.call(kHelperKtimeGetCoarseNs), 7000u);
  // Same seed, same sequence: a second runtime draws the same numbers.
  TestWorld twin({}, config);
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(world.call(kHelperGetPrandomU32), twin.call(kHelperGetPrandomU32));

  const uint64_t source = world.on_stack<uint64_t>(0, 0x1122334455667788);
  const uint64_t destination = address_of(world.stack + 16);
  EXPECT_EQ(world.call(kHelperProbeRead, destination, 8, source), 0u);
  EXPECT_EQ(*reinterpret_cast<uint64_t*>(world.stack + 16), 0x1122334455667788u);
  // An unreadable source: -EFAULT and a zeroed destination, not a fault.
  EXPECT_EQ(as_signed(world.call(kHelperProbeRead, destination, 8, 0x40)), -EFAULT);
  EXPECT_EQ(*reinterpret_cast<uint64_t*>(world.stack + 16), 0u);
  EXPECT_EQ(world.fault(), "");
  world.call(kHelperProbeRead, 0x40, 8, source);
  EXPECT_EQ(world.fault(),
            "helper probe_read: destination pointer 0x40 is not writable for 8 bytes");
}

}  // namespace
}  // namespace nicsim::ebpf::test
