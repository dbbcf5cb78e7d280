#include "ebpf/maps/redirect_map.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "ebpf/maps/map_flags.h"
#include "ebpf/maps/test/map_test_support.h"
#include "ebpf/util/error.h"

namespace nicsim::ebpf::test {
namespace {

RedirectMap& as_redirect(MapUnderTest& m) {
  return dynamic_cast<RedirectMap&>(*m.map);
}

TEST(Devmap, SlotsStartEmptyAndHoldEgressInterfaces) {
  MapUnderTest m(make_def(MapType::Devmap, 4, 4, 4));
  const uint32_t key = 2, ifindex = 7, zero = 0;
  EXPECT_FALSE(as_redirect(m).target(key));
  EXPECT_EQ(m->lookup(&key), nullptr);
  ASSERT_EQ(m->host_update(&key, &ifindex, kMapUpdateAny), 0);
  EXPECT_EQ(as_redirect(m).target(key), 7u);
  void* value = m->lookup(&key);
  ASSERT_NE(value, nullptr);
  EXPECT_EQ(load<uint32_t>(value), 7u);
  EXPECT_TRUE(m->owns_value_range(address_of(value), 4));
  // ifindex 0 empties the slot, as in the kernel.
  ASSERT_EQ(m->host_update(&key, &zero, kMapUpdateAny), 0);
  EXPECT_FALSE(as_redirect(m).target(key));
  EXPECT_FALSE(m->owns_value_range(address_of(value), 4));
}

TEST(Devmap, UpdateRulesFollowTheKernel) {
  MapUnderTest m(make_def(MapType::Devmap, 4, 8, 2));
  const uint32_t in = 1, out = 2;
  const uint32_t with_program[2] = {5, 3};  // bpf_devmap_val {ifindex 5, prog fd 3}
  const uint32_t without_program[2] = {5, 0};
  EXPECT_EQ(m->host_update(&in, without_program, kMapUpdateNoExist), -EEXIST);
  EXPECT_EQ(m->host_update(&out, without_program, kMapUpdateAny), -E2BIG);
  EXPECT_EQ(m->host_update(&in, without_program, 3), -EINVAL);
  EXPECT_EQ(m->host_update(&in, with_program, kMapUpdateAny), -EINVAL);  // unsupported
  EXPECT_EQ(m->host_update(&in, without_program, kMapUpdateExist), 0);
  EXPECT_EQ(m->update(&in, without_program, kMapUpdateAny), -kErrNotSupp);  // programs cannot
  EXPECT_EQ(m->remove(&out), -EINVAL);
  EXPECT_EQ(m->remove(&in), 0);
  EXPECT_EQ(m->remove(&in), 0);  // deleting an empty slot succeeds
}

TEST(DevmapHash, KeysAreArbitraryAndCapacityIsEnforced) {
  MapUnderTest m(make_def(MapType::DevmapHash, 4, 4, 2));
  const uint32_t k1 = 1000, k2 = 2000, k3 = 3000, ifindex = 3, zero = 0;
  EXPECT_EQ(m->host_update(&k1, &zero, kMapUpdateAny), -EINVAL);
  ASSERT_EQ(m->host_update(&k1, &ifindex, kMapUpdateAny), 0);
  EXPECT_EQ(m->host_update(&k1, &ifindex, kMapUpdateNoExist), -EEXIST);
  ASSERT_EQ(m->host_update(&k2, &ifindex, kMapUpdateAny), 0);
  EXPECT_EQ(m->host_update(&k3, &ifindex, kMapUpdateAny), -E2BIG);
  EXPECT_EQ(as_redirect(m).target(k2), 3u);
  EXPECT_FALSE(as_redirect(m).target(k3));
  uint32_t next = 0;
  ASSERT_EQ(m->get_next_key(nullptr, &next), 0);
  EXPECT_EQ(next, k1);
  ASSERT_EQ(m->get_next_key(&k1, &next), 0);
  EXPECT_EQ(next, k2);
  EXPECT_EQ(m->get_next_key(&k2, &next), -ENOENT);
  EXPECT_EQ(m->remove(&k3), -ENOENT);
  ASSERT_EQ(m->remove(&k1), 0);
  EXPECT_EQ(m->host_update(&k3, &ifindex, kMapUpdateAny), 0);
}

TEST(Cpumap, KeysAreCpusAndProgramsCannotLookUp) {
  MapUnderTest m(make_def(MapType::Cpumap, 4, 4, 8), 2);
  const uint32_t cpu1 = 1, cpu5 = 5, qsize = 192, huge = 20000;
  ASSERT_EQ(m->host_update(&cpu1, &qsize, kMapUpdateAny), 0);
  EXPECT_EQ(as_redirect(m).target(cpu1), 192u);
  EXPECT_EQ(m->lookup(&cpu1), nullptr);
  EXPECT_EQ(m->host_update(&cpu5, &qsize, kMapUpdateAny), -ENODEV);  // only 2 CPUs
  EXPECT_EQ(m->host_update(&cpu1, &huge, kMapUpdateAny), -EOVERFLOW);
  uint32_t out = 0;
  ASSERT_EQ(m->host_lookup(&cpu1, &out), 0);
  EXPECT_EQ(out, 192u);
}

TEST(Xskmap, ExistFlagsAreChecked) {
  MapUnderTest m(make_def(MapType::Xskmap, 4, 4, 4));
  const uint32_t queue = 0, socket = 9;
  EXPECT_EQ(m->host_update(&queue, &socket, kMapUpdateExist), -ENOENT);
  ASSERT_EQ(m->host_update(&queue, &socket, kMapUpdateNoExist), 0);
  EXPECT_EQ(m->host_update(&queue, &socket, kMapUpdateNoExist), -EEXIST);
  EXPECT_NE(m->lookup(&queue), nullptr);
  EXPECT_EQ(as_redirect(m).target(queue), 9u);
}

TEST(RedirectMaps, RefuseWhatTheKernelRefuses) {
  MapContext context;
  EXPECT_THROW(create_map(make_def(MapType::Devmap, 4, 6, 4), context), Error);
  EXPECT_THROW(create_map(make_def(MapType::Devmap, 8, 4, 4), context), Error);
  EXPECT_THROW(create_map(make_def(MapType::Devmap, 4, 4, 0), context), Error);
  EXPECT_THROW(create_map(make_def(MapType::Devmap, 4, 4, 4, kMapFlagNoPrealloc), context), Error);
  EXPECT_THROW(create_map(make_def(MapType::Cpumap, 4, 4, 100000), context), Error);
  EXPECT_THROW(create_map(make_def(MapType::Xskmap, 4, 8, 4), context), Error);
}

}  // namespace
}  // namespace nicsim::ebpf::test
