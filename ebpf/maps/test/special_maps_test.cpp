// prog_array, perf_event_array and ringbuf at the map level; their helpers and the map-in-map
// types (which need a Runtime to resolve indices) are tested in ebpf/runtime/test.

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>

#include "ebpf/maps/map_flags.h"
#include "ebpf/maps/prog_array_map.h"
#include "ebpf/maps/ringbuf_map.h"
#include "ebpf/maps/test/map_test_support.h"
#include "ebpf/util/error.h"

namespace nicsim::ebpf::test {
namespace {

TEST(ProgArrayMap, HoldsProgramIndicesForTailCalls) {
  MapContext context;
  MapLinks links;
  links.program_count = 3;
  auto map = create_map(make_def(MapType::ProgArray, 4, 4, 4), context, links);
  auto& progs = dynamic_cast<ProgArrayMap&>(*map);
  const uint32_t slot = 1, program = 2, missing_program = 3;
  EXPECT_FALSE(progs.program_at(slot));
  ASSERT_EQ(map->host_update(&slot, &program, kMapUpdateAny), 0);
  EXPECT_EQ(progs.program_at(slot), 2u);
  EXPECT_EQ(map->lookup(&slot), nullptr);  // programs may not read a prog_array
  EXPECT_EQ(map->host_update(&slot, &missing_program, kMapUpdateAny), -EBADF);
  EXPECT_EQ(map->host_update(&slot, &program, kMapUpdateNoExist), -EINVAL);  // BPF_ANY only
  const uint32_t out_of_range = 4;
  EXPECT_EQ(map->host_update(&out_of_range, &program, kMapUpdateAny), -E2BIG);
  EXPECT_FALSE(progs.program_at(out_of_range));
  uint32_t stored = 0;
  ASSERT_EQ(map->host_lookup(&slot, &stored), 0);
  EXPECT_EQ(stored, 2u);
  ASSERT_EQ(map->remove(&slot), 0);
  EXPECT_EQ(map->remove(&slot), -ENOENT);
  EXPECT_FALSE(progs.program_at(slot));
  EXPECT_FALSE(map->owns_value_range(address_of(&stored), 4));
}

TEST(PerfEventArrayMap, IsSizedAsLoadersSizeIt) {
  MapUnderTest m(make_def(MapType::PerfEventArray, 4, 4, 0), 4);
  EXPECT_EQ(m->def().max_entries, 4u);  // one slot per CPU
  // A BTF value type describing the events is replaced by the kernel's u32 slots.
  MapUnderTest typed(make_def(MapType::PerfEventArray, 4, 84, 2));
  EXPECT_EQ(typed->def().value_size, 4u);
  EXPECT_EQ(typed->def().max_entries, 2u);
}

TEST(FdArrays, RefuseWhatTheKernelRefuses) {
  MapContext context;
  EXPECT_THROW(create_map(make_def(MapType::ProgArray, 4, 8, 4), context), Error);
  EXPECT_THROW(create_map(make_def(MapType::ProgArray, 4, 4, 0), context), Error);
  EXPECT_THROW(create_map(make_def(MapType::ProgArray, 4, 4, 4, kMapFlagReadOnlyProg), context),
               Error);
  EXPECT_THROW(create_map(make_def(MapType::ArrayOfMaps, 4, 8, 4), context), Error);
  EXPECT_THROW(create_map(make_def(MapType::HashOfMaps, 4, 8, 4), context), Error);
}

TEST(RingbufMap, ReservationsRespectCapacityPerInvocation) {
  MapUnderTest m(make_def(MapType::Ringbuf, 0, 0, 4096));
  auto& ring = dynamic_cast<RingbufMap&>(*m.map);
  // Each 100-byte record takes round_up(100 + 8, 8) = 112 bytes; at most 4095 bytes may be
  // used, so 36 records fit (4032 bytes) and the 37th (4144) does not.
  std::vector<uint8_t*> records;
  for (int i = 0; i < 36; ++i) {
    uint8_t* record = ring.reserve(100, 1);
    ASSERT_NE(record, nullptr) << "record " << i;
    records.push_back(record);
  }
  EXPECT_EQ(ring.used(1), 36u * 112);
  EXPECT_EQ(ring.reserve(100, 1), nullptr);
  // 4095 - 4032 = 63 bytes left: a 48-byte record (56 with header) fits, then nothing more.
  EXPECT_NE(ring.reserve(48, 1), nullptr);
  EXPECT_EQ(ring.reserve(1, 1), nullptr);
  // Records are contiguous and distinct.
  EXPECT_EQ(records[1] - records[0], 112);
  // The next invocation starts with an empty ring.
  EXPECT_EQ(ring.used(2), 0u);
  EXPECT_NE(ring.reserve(4000, 2), nullptr);
  EXPECT_EQ(ring.reserve(4096, 3), nullptr);  // larger than the ring
}

TEST(RingbufMap, CommitClosesAReservationOnce) {
  MapUnderTest m(make_def(MapType::Ringbuf, 0, 0, 4096));
  auto& ring = dynamic_cast<RingbufMap&>(*m.map);
  uint8_t* record = ring.reserve(10, 1);
  ASSERT_NE(record, nullptr);
  const auto sample = address_of(record);
  EXPECT_EQ(ring.open_reservation(sample, 1), 10u);
  EXPECT_FALSE(ring.open_reservation(sample + 1, 1));
  EXPECT_FALSE(ring.open_reservation(sample, 2));  // a later invocation
  // The header says: length 10 with the busy bit set, until committed.
  uint32_t header = 0;
  std::memcpy(&header, record - 8, 4);
  EXPECT_EQ(header, 10u | RingbufMap::kBusyBit);
  ASSERT_TRUE(ring.commit(sample, true, 1));
  std::memcpy(&header, record - 8, 4);
  EXPECT_EQ(header, 10u | RingbufMap::kDiscardBit);
  EXPECT_FALSE(ring.commit(sample, false, 1));
  EXPECT_FALSE(ring.open_reservation(sample, 1));
}

TEST(RingbufMap, HasNoElementOperations) {
  MapUnderTest m(make_def(MapType::Ringbuf, 0, 0, 4096));
  uint32_t key = 0, value = 0;
  EXPECT_EQ(m->lookup(&key), nullptr);
  EXPECT_EQ(m->update(&key, &value, 0), -kErrNotSupp);
  EXPECT_EQ(m->get_next_key(nullptr, &key), -kErrNotSupp);
}

TEST(RingbufMap, RefusesWhatTheKernelRefuses) {
  MapContext context;
  EXPECT_THROW(create_map(make_def(MapType::Ringbuf, 0, 0, 4096 * 3), context), Error);
  EXPECT_THROW(create_map(make_def(MapType::Ringbuf, 0, 0, 2048), context), Error);
  // Key and value types only document the records: loaders drop them.
  EXPECT_EQ(create_map(make_def(MapType::Ringbuf, 4, 24, 4096), context)->def().value_size, 0u);
  EXPECT_THROW(create_map(make_def(MapType::Ringbuf, 0, 0, 0), context), Error);
}

TEST(CreateMap, UnsupportedTypesAreNamed) {
  MapContext context;
  try {
    create_map(make_def(MapType::UserRingbuf, 0, 0, 4096, 0, "events"), context);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "map 'events': type user_ringbuf is not supported by nicsim's runtime");
  }
}

}  // namespace
}  // namespace nicsim::ebpf::test
