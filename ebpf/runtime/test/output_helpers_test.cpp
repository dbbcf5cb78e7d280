#include <gtest/gtest.h>

#include <cerrno>

#include "ebpf/runtime/test/runtime_test_support.h"

namespace nicsim::ebpf::test {
namespace {

struct OutputWorld : TestWorld {
  XdpFrame frame;
  OutputWorld(std::vector<MapDefinition> maps, RuntimeConfig config = {})
      : TestWorld(std::move(maps), config), frame(packet()) {
    runtime->begin_invocation(&frame);
  }
  static std::vector<uint8_t> packet() {
    std::vector<uint8_t> bytes(40);
    for (size_t i = 0; i < bytes.size(); ++i)
      bytes[i] = static_cast<uint8_t>(i);
    return bytes;
  }
  uint64_t ctx() { return address_of(frame.context()); }
};

TEST(PerfEventOutputHelper, RecordsDataFollowedByPacketBytes) {
  RuntimeConfig config;
  config.num_cpus = 2;
  config.cpu = 1;
  OutputWorld world({map_def("events", MapType::PerfEventArray, 4, 4, 0)}, config);
  const uint64_t data = world.on_stack<uint32_t>(0, 0xaabbccdd);
  const uint64_t current_cpu_with_6_packet_bytes = 0xffffffffull | (6ull << 32);
  EXPECT_EQ(world.call(kHelperPerfEventOutput, world.ctx(), world.map(0),
                       current_cpu_with_6_packet_bytes, data, 4),
            0u);
  ASSERT_EQ(world.runtime->events().size(), 1u);
  const EventRecord& event = world.runtime->events()[0];
  EXPECT_EQ(event.map_index, 0u);
  EXPECT_EQ(event.cpu, 1u);
  EXPECT_EQ(event.packet, 0u);
  EXPECT_EQ(event.data, (std::vector<uint8_t>{0xdd, 0xcc, 0xbb, 0xaa, 0, 1, 2, 3, 4, 5}));
  // An explicit index, then the kernel's errors.
  EXPECT_EQ(world.call(kHelperPerfEventOutput, world.ctx(), world.map(0), 0, data, 4), 0u);
  EXPECT_EQ(world.runtime->events()[1].cpu, 0u);
  EXPECT_EQ(as_signed(world.call(kHelperPerfEventOutput, world.ctx(), world.map(0), 2, data, 4)),
            -E2BIG);
  EXPECT_EQ(as_signed(world.call(kHelperPerfEventOutput, world.ctx(), world.map(0), 41ull << 32,
                                 data, 4)),
            -EFAULT);  // more packet bytes than the packet has
  EXPECT_EQ(
      as_signed(world.call(kHelperPerfEventOutput, world.ctx(), world.map(0), 1ull << 60, data, 4)),
      -EINVAL);
  EXPECT_EQ(world.runtime->events().size(), 2u);
  EXPECT_EQ(world.fault(), "");
  world.call(kHelperPerfEventOutput, world.ctx(), world.map(0), 0, 0x20, 4);
  EXPECT_EQ(world.fault(),
            "helper perf_event_output: data pointer 0x20 is not readable for 4 bytes");
}

TEST(PerfEventOutputHelper, OtherMapsFault) {
  OutputWorld world({map_def("table", MapType::Array, 4, 4, 1)});
  world.call(kHelperPerfEventOutput, world.ctx(), world.map(0), 0, address_of(world.stack), 4);
  EXPECT_EQ(world.fault(),
            "helper perf_event_output: map 'table' (array) is not a perf event array");
}

TEST(RingbufHelpers, ReserveWriteSubmit) {
  OutputWorld world({map_def("ring", MapType::Ringbuf, 0, 0, 4096)});
  const uint64_t record = world.call(kHelperRingbufReserve, world.map(0), 12, 0);
  ASSERT_NE(record, 0u);
  // The reservation is writable by the program, and only its 12 bytes.
  EXPECT_TRUE(world.runtime->accessible(record, 12, true));
  EXPECT_FALSE(world.runtime->accessible(record, 13, false));
  std::memset(reinterpret_cast<void*>(record), 0x5a, 12);
  EXPECT_TRUE(world.runtime->events().empty());
  EXPECT_EQ(world.call(kHelperRingbufSubmit, record, 0), 0u);
  ASSERT_EQ(world.runtime->events().size(), 1u);
  EXPECT_EQ(world.runtime->events()[0].data, std::vector<uint8_t>(12, 0x5a));
  EXPECT_FALSE(world.runtime->accessible(record, 1, false));
  EXPECT_EQ(world.fault(), "");
  // Submitting twice is a bad pointer.
  world.call(kHelperRingbufSubmit, record, 0);
  EXPECT_EQ(world.fault(), fmt::format("helper ringbuf_submit: pointer {:#x} is not an open ring "
                                       "buffer reservation",
                                       record));
}

TEST(RingbufHelpers, DiscardRecordsNothing) {
  OutputWorld world({map_def("ring", MapType::Ringbuf, 0, 0, 4096)});
  const uint64_t record = world.call(kHelperRingbufReserve, world.map(0), 8, 0);
  ASSERT_NE(record, 0u);
  EXPECT_EQ(world.call(kHelperRingbufDiscard, record, 0), 0u);
  EXPECT_TRUE(world.runtime->events().empty());
  EXPECT_FALSE(world.runtime->accessible(record, 8, false));
  EXPECT_EQ(world.fault(), "");
}

TEST(RingbufHelpers, CapacityIsPerInvocation) {
  OutputWorld world({map_def("ring", MapType::Ringbuf, 0, 0, 4096)});
  const uint64_t data = address_of(world.stack);
  // 500-byte records take 512 bytes each: 7 fit below 4095 bytes, the 8th does not.
  for (int i = 0; i < 7; ++i)
    ASSERT_EQ(world.call(kHelperRingbufOutput, world.map(0), data, 500, 0), 0u) << i;
  EXPECT_EQ(as_signed(world.call(kHelperRingbufOutput, world.map(0), data, 500, 0)), -EAGAIN);
  EXPECT_EQ(world.call(kHelperRingbufReserve, world.map(0), 500, 0), 0u);
  EXPECT_EQ(world.runtime->events().size(), 7u);
  // The consumer drained the ring before the next packet.
  XdpFrame next(OutputWorld::packet());
  world.runtime->begin_invocation(&next);
  EXPECT_EQ(world.call(kHelperRingbufOutput, world.map(0), data, 500, 0), 0u);
  EXPECT_EQ(world.runtime->events().back().packet, 1u);
}

TEST(RingbufHelpers, ArgumentRules) {
  OutputWorld world(
      {map_def("ring", MapType::Ringbuf, 0, 0, 4096), map_def("table", MapType::Array, 4, 4, 1)});
  EXPECT_EQ(world.call(kHelperRingbufReserve, world.map(0), 8, 1), 0u);  // flags: NULL
  EXPECT_EQ(
      as_signed(world.call(kHelperRingbufOutput, world.map(0), address_of(world.stack), 4, 4)),
      -EINVAL);
  EXPECT_EQ(world.call(kHelperRingbufOutput, world.map(0), address_of(world.stack), 4, 3), 0u);
  EXPECT_EQ(world.fault(), "");
  world.call(kHelperRingbufReserve, world.map(1), 8, 0);
  EXPECT_EQ(world.fault(), "helper ringbuf_reserve: map 'table' (array) is not a ring buffer");
}

}  // namespace
}  // namespace nicsim::ebpf::test
