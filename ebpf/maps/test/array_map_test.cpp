#include <gtest/gtest.h>

#include <cerrno>

#include "ebpf/maps/map_flags.h"
#include "ebpf/maps/test/map_test_support.h"
#include "ebpf/util/error.h"

namespace nicsim::ebpf::test {
namespace {

TEST(ArrayMap, EntriesExistZeroedAndUpdatable) {
  MapUnderTest m(make_def(MapType::Array, 4, 8, 4));
  const uint32_t key = 3;
  auto* value = static_cast<uint8_t*>(m->lookup(&key));
  ASSERT_NE(value, nullptr);
  EXPECT_EQ(load<uint64_t>(value), 0u);
  const uint64_t v = 0x1122334455667788;
  EXPECT_EQ(m->update(&key, &v, kMapUpdateAny), 0);
  EXPECT_EQ(load<uint64_t>(value), v);  // same slot, updated in place
  EXPECT_EQ(m->update(&key, &v, kMapUpdateExist), 0);
  uint64_t out = 0;
  EXPECT_EQ(m->host_lookup(&key, &out), 0);
  EXPECT_EQ(out, v);
}

TEST(ArrayMap, UpdateFlagsAndBoundsFollowTheKernel) {
  MapUnderTest m(make_def(MapType::Array, 4, 4, 2));
  const uint32_t in_range = 1, out_of_range = 2;
  const uint32_t v = 7;
  EXPECT_EQ(m->update(&in_range, &v, kMapUpdateNoExist), -EEXIST);
  EXPECT_EQ(m->update(&out_of_range, &v, kMapUpdateAny), -E2BIG);
  EXPECT_EQ(m->update(&in_range, &v, 3), -EINVAL);
  EXPECT_EQ(m->update(&in_range, &v, kMapUpdateLock), -EINVAL);  // no bpf_spin_lock
  EXPECT_EQ(m->host_update(&out_of_range, &v, kMapUpdateAny), -E2BIG);
  EXPECT_EQ(m->lookup(&out_of_range), nullptr);
  EXPECT_EQ(m->remove(&in_range), -EINVAL);
}

TEST(ArrayMap, GetNextKeyWalksAllIndices) {
  MapUnderTest m(make_def(MapType::Array, 4, 4, 3));
  uint32_t next = 99;
  ASSERT_EQ(m->get_next_key(nullptr, &next), 0);
  EXPECT_EQ(next, 0u);
  uint32_t key = 0;
  ASSERT_EQ(m->get_next_key(&key, &next), 0);
  EXPECT_EQ(next, 1u);
  key = 2;
  EXPECT_EQ(m->get_next_key(&key, &next), -ENOENT);
  key = 100;  // out of range restarts at 0, as in the kernel
  ASSERT_EQ(m->get_next_key(&key, &next), 0);
  EXPECT_EQ(next, 0u);
}

TEST(ArrayMap, OwnsExactlyTheValueBytes) {
  // value_size 6: slots are 8 bytes apart, the 2 padding bytes belong to no value.
  MapUnderTest m(make_def(MapType::Array, 4, 6, 2));
  const uint32_t k0 = 0, k1 = 1;
  const uint64_t v0 = address_of(m->lookup(&k0));
  const uint64_t v1 = address_of(m->lookup(&k1));
  EXPECT_EQ(v1 - v0, 8u);
  EXPECT_TRUE(m->owns_value_range(v0, 6));
  EXPECT_TRUE(m->owns_value_range(v0 + 5, 1));
  EXPECT_FALSE(m->owns_value_range(v0, 7));
  EXPECT_FALSE(m->owns_value_range(v0 + 6, 1));  // padding
  EXPECT_FALSE(m->owns_value_range(v0 + 4, 4));  // crosses into padding
  EXPECT_FALSE(m->owns_value_range(v0 - 1, 1));
  EXPECT_TRUE(m->owns_value_range(v1, 6));
  EXPECT_FALSE(m->owns_value_range(v1 + 6, 1));
  EXPECT_FALSE(m->owns_value_range(v1 + 8, 1));  // past the end
  EXPECT_FALSE(m->owns_value_range(v0, 0));
}

TEST(PercpuArrayMap, EachCpuSeesItsOwnCopy) {
  MapUnderTest m(make_def(MapType::PercpuArray, 4, 4, 2), 3);
  EXPECT_EQ(m->host_value_size(), 3 * 8u);
  const uint32_t key = 1;
  for (uint32_t cpu = 0; cpu < 3; ++cpu) {
    m.cpu = cpu;
    const uint32_t v = 100 + cpu;
    ASSERT_EQ(m->update(&key, &v, kMapUpdateAny), 0);
  }
  std::vector<uint32_t> pointers;
  for (uint32_t cpu = 0; cpu < 3; ++cpu) {
    m.cpu = cpu;
    void* value = m->lookup(&key);
    EXPECT_EQ(load<uint32_t>(value), 100 + cpu);
    EXPECT_TRUE(m->owns_value_range(address_of(value), 4));
    EXPECT_FALSE(m->owns_value_range(address_of(value) + 4, 1));  // padding of the copy
  }
  // Host layout: one round_up(4, 8) = 8-byte cell per CPU.
  uint8_t host[24];
  ASSERT_EQ(m->host_lookup(&key, host), 0);
  for (uint32_t cpu = 0; cpu < 3; ++cpu)
    EXPECT_EQ(load<uint32_t>(host + 8 * cpu), 100 + cpu);
  // A host update writes every CPU's copy.
  uint8_t in[24] = {};
  for (uint32_t cpu = 0; cpu < 3; ++cpu)
    in[8 * cpu] = static_cast<uint8_t>(cpu + 1);
  ASSERT_EQ(m->host_update(&key, in, kMapUpdateAny), 0);
  m.cpu = 2;
  EXPECT_EQ(load<uint32_t>(m->lookup(&key)), 3u);
}

TEST(ArrayMap, RefusesWhatTheKernelRefuses) {
  MapContext context;
  EXPECT_THROW(create_map(make_def(MapType::Array, 8, 4, 1), context), Error);
  EXPECT_THROW(create_map(make_def(MapType::Array, 4, 0, 1), context), Error);
  EXPECT_THROW(create_map(make_def(MapType::Array, 4, 4, 0), context), Error);
  EXPECT_THROW(create_map(make_def(MapType::Array, 4, 4, 1, kMapFlagNoPrealloc), context), Error);
  EXPECT_THROW(create_map(make_def(MapType::PercpuArray, 4, 40000, 1), context), Error);
  EXPECT_THROW(create_map(make_def(MapType::PercpuArray, 4, 4, 1, kMapFlagMmapable), context),
               Error);
  try {
    create_map(make_def(MapType::Array, 8, 4, 1, 0, "counters"), context);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("map 'counters'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("key size 8"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace nicsim::ebpf::test
