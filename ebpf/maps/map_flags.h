#pragma once
// Map creation flags (BPF_F_* of the BPF_MAP_CREATE command in include/uapi/linux/bpf.h) and
// the other kernel constants the map implementations share.

#include <cstdint>

namespace nicsim::ebpf {

constexpr uint32_t kMapFlagNoPrealloc = 1u << 0;
constexpr uint32_t kMapFlagNoCommonLru = 1u << 1;
constexpr uint32_t kMapFlagNumaNode = 1u << 2;
constexpr uint32_t kMapFlagReadOnly = 1u << 3;
constexpr uint32_t kMapFlagWriteOnly = 1u << 4;
constexpr uint32_t kMapFlagZeroSeed = 1u << 6;
constexpr uint32_t kMapFlagReadOnlyProg = 1u << 7;
constexpr uint32_t kMapFlagWriteOnlyProg = 1u << 8;
constexpr uint32_t kMapFlagMmapable = 1u << 10;
constexpr uint32_t kMapFlagPreserveElems = 1u << 11;
constexpr uint32_t kMapFlagInnerMap = 1u << 12;
constexpr uint32_t kMapFlagAccessMask =
    kMapFlagReadOnly | kMapFlagWriteOnly | kMapFlagReadOnlyProg | kMapFlagWriteOnlyProg;

// BPF_F_LOCK: update/lookup under the value's bpf_spin_lock; nicsim values have none.
constexpr uint64_t kMapUpdateLock = 4;

constexpr uint32_t kPageSize = 4096;
constexpr uint32_t kPercpuMinUnitSize = 32 * 1024;  // PCPU_MIN_UNIT_SIZE
constexpr uint64_t kKmallocMaxSize = 4u << 20;      // KMALLOC_MAX_SIZE with 4 KiB pages
constexpr uint32_t kMaxCpus = 8192;                 // NR_CPUS of distribution kernels

constexpr uint64_t round_up_8(uint64_t size) {
  return (size + 7) & ~uint64_t{7};
}

}  // namespace nicsim::ebpf

namespace nicsim::ebpf {

// ENOTSUPP (kernel-internal errno 524): what the kernel's map operations return for an
// operation the map type does not have (e.g. a lookup in a ring buffer).
constexpr int kErrNotSupp = 524;

}  // namespace nicsim::ebpf
