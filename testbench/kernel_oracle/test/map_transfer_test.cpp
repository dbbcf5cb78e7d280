// The same map contents on both sides: nicsim's entries reach the kernel's maps, the
// comparison names every difference in both directions, and a devmap entry naming an interface
// this machine lacks is reported as such (the kernel answers only EINVAL).

#include "testbench/kernel_oracle/map_transfer.h"

#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <net/if.h>

#include <string>
#include <vector>

#include "ebpf/asm/assembler.h"
#include "testbench/kernel_oracle/test/kernel_test_support.h"

namespace nicsim::kernel_oracle {
namespace {

// An XDP program that names both maps (the Direct path creates only the maps a program names).
ebpf::ElfObject object_with_maps() {
  ebpf::ElfObject object = ebpf::make_single_program_object(
      ebpf::assemble("r1 = map_fd 0\nr1 = map_fd 1\nr0 = 2\nexit"), ebpf::ProgramType::Xdp, "maps");
  ebpf::MapDefinition counts;
  counts.name = "counts";
  counts.type = ebpf::MapType::Hash;
  counts.key_size = 4;
  counts.value_size = 8;
  counts.max_entries = 8;
  ebpf::MapDefinition ports;
  ports.name = "ports";
  ports.type = ebpf::MapType::Devmap;
  ports.key_size = 4;
  ports.value_size = 4;
  ports.max_entries = 4;
  object.maps = {counts, ports};
  return object;
}

void put(ebpf::Map& map, uint32_t key, uint64_t value) {
  ASSERT_EQ(map.host_update(&key, &value, BPF_ANY), 0);
}

void put_kernel(int fd, uint32_t key, uint64_t value) {
  ASSERT_EQ(bpf_map_update_elem(fd, &key, &value, BPF_ANY), 0);
}

// An interface index no interface of this machine has.
uint32_t missing_ifindex() {
  char name[IF_NAMESIZE];
  uint32_t index = 1000;
  while (if_indextoname(index, name) != nullptr)
    ++index;
  return index;
}

class MapTransfer : public ::testing::Test {
 protected:
  void SetUp() override { NICSIM_SKIP_WITHOUT_KERNEL(); }
};

TEST_F(MapTransfer, CopiesEntriesAndNamesEveryDifference) {
  const ebpf::ElfObject object = object_with_maps();
  ebpf::Runtime runtime(object);
  const KernelProgram kernel = KernelProgram::load(object, object.programs[0]);
  ASSERT_TRUE(kernel.loaded()) << kernel.result().first_error << kernel.result().setup_error;
  put(runtime.map(0), 1, 10);
  put(runtime.map(0), 2, 20);

  const MapTransferReport report = copy_map_contents(runtime, kernel);
  EXPECT_EQ(report.entries_copied, 2U);
  EXPECT_TRUE(report.skipped.empty()) << report.skipped.front();
  uint32_t key = 2;
  uint64_t value = 0;
  ASSERT_EQ(bpf_map_lookup_elem(kernel.map_fd(0), &key, &value), 0);
  EXPECT_EQ(value, 20U);
  EXPECT_TRUE(compare_map_contents(runtime, kernel).empty());

  put_kernel(kernel.map_fd(0), 2, 21);  // a different value
  put_kernel(kernel.map_fd(0), 3, 30);  // only in the kernel
  put(runtime.map(0), 4, 40);           // only in nicsim
  EXPECT_EQ(compare_map_contents(runtime, kernel),
            (std::vector<std::string>{
                "map 'counts': key 02000000: nicsim 1400000000000000, kernel 1500000000000000",
                "map 'counts': key 04000000: nicsim 2800000000000000, kernel has no entry",
                "map 'counts': key 03000000: nicsim has no entry, kernel 1e00000000000000",
            }));
  EXPECT_EQ(compare_map_contents(runtime, kernel, MapComparison::KeysOnly),
            (std::vector<std::string>{
                "map 'counts': key 04000000: nicsim 2800000000000000, kernel has no entry",
                "map 'counts': key 03000000: nicsim has no entry, kernel 1e00000000000000",
            }));
}

TEST_F(MapTransfer, ADevmapEntryForAMissingInterfaceSaysSo) {
  const ebpf::ElfObject object = object_with_maps();
  ebpf::Runtime runtime(object);
  const KernelProgram kernel = KernelProgram::load(object, object.programs[0]);
  ASSERT_TRUE(kernel.loaded()) << kernel.result().first_error << kernel.result().setup_error;
  const uint32_t missing = missing_ifindex();
  const uint32_t key = 0;
  ASSERT_EQ(runtime.map(1).host_update(&key, &missing, BPF_ANY), 0);

  const MapTransferReport report = copy_map_contents(runtime, kernel);
  EXPECT_EQ(report.entries_copied, 0U);
  ASSERT_EQ(report.skipped.size(), 1U);
  EXPECT_EQ(report.skipped[0], "map 'ports': the kernel refused an entry: interface " +
                                   std::to_string(missing) +
                                   " does not exist on this machine (No such device)");
}

}  // namespace
}  // namespace nicsim::kernel_oracle
