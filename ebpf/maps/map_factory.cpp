// create_map: the kernel's map_create sanity checks for each supported type, then the
// implementation of its family.

#include <fmt/format.h>

#include <bit>
#include <cerrno>
#include <memory>

#include "ebpf/maps/array_map.h"
#include "ebpf/maps/hash_map.h"
#include "ebpf/maps/lpm_trie_map.h"
#include "ebpf/maps/map.h"
#include "ebpf/maps/map_flags.h"
#include "ebpf/maps/map_in_map.h"
#include "ebpf/maps/prog_array_map.h"
#include "ebpf/maps/redirect_map.h"
#include "ebpf/maps/ringbuf_map.h"
#include "ebpf/util/error.h"

namespace nicsim::ebpf {

namespace {

constexpr uint32_t kArrayFlags = kMapFlagNumaNode | kMapFlagMmapable | kMapFlagAccessMask |
                                 kMapFlagPreserveElems | kMapFlagInnerMap;
constexpr uint32_t kHashFlags = kMapFlagNoPrealloc | kMapFlagNoCommonLru | kMapFlagNumaNode |
                                kMapFlagAccessMask | kMapFlagZeroSeed;
constexpr uint32_t kLpmFlags = kMapFlagNoPrealloc | kMapFlagNumaNode | kMapFlagAccessMask;
constexpr uint32_t kDevmapFlags = kMapFlagNumaNode | kMapFlagReadOnly | kMapFlagWriteOnly;
constexpr uint32_t kLpmMinKeySize = 4 + 1;    // prefixlen + at least one data byte
constexpr uint32_t kLpmMaxKeySize = 4 + 256;  // prefixlen + LPM_DATA_SIZE_MAX

[[noreturn]] void refuse(const MapDefinition& def, std::string_view reason) {
  throw Error(fmt::format("map '{}': {} map {} (the kernel refuses to create it)", def.name,
                          map_type_name(def.type), reason));
}

void require(bool condition, const MapDefinition& def, std::string_view reason) {
  if (!condition) refuse(def, reason);
}

void check_flags(const MapDefinition& def, uint32_t allowed) {
  require((def.flags & ~allowed) == 0, def,
          fmt::format("has unsupported flags {:#x}", def.flags & ~allowed));
  // bpf_map_flags_access_ok: read-only and write-only exclude each other.
  const bool both_syscall = (def.flags & kMapFlagReadOnly) && (def.flags & kMapFlagWriteOnly);
  const bool both_prog = (def.flags & kMapFlagReadOnlyProg) && (def.flags & kMapFlagWriteOnlyProg);
  require(!both_syscall && !both_prog, def, "is both read-only and write-only");
}

void check_u32_key(const MapDefinition& def) {
  require(def.key_size == 4, def, fmt::format("has key size {} (must be 4)", def.key_size));
}

void check_entries(const MapDefinition& def) {
  require(def.max_entries > 0, def, "has max_entries 0");
}

void check_array(const MapDefinition& def) {
  check_entries(def);
  check_u32_key(def);
  require(def.value_size > 0, def, "has value size 0");
  check_flags(def, kArrayFlags);
  if (def.type != MapType::Array)
    require((def.flags & (kMapFlagMmapable | kMapFlagInnerMap)) == 0, def,
            "is mmapable or an inner-map template");
  if (def.type != MapType::PerfEventArray)
    require((def.flags & kMapFlagPreserveElems) == 0, def, "has BPF_F_PRESERVE_ELEMS");
  require(def.value_size <= INT32_MAX, def, "has a value size above INT_MAX");
  if (def.type == MapType::PercpuArray)
    require(round_up_8(def.value_size) <= kPercpuMinUnitSize, def,
            "has a per-CPU value above 32 KiB");
}

void check_hash(const MapDefinition& def) {
  const bool lru = def.type == MapType::LruHash || def.type == MapType::LruPercpuHash;
  const bool percpu = def.type == MapType::PercpuHash || def.type == MapType::LruPercpuHash;
  check_flags(def, kHashFlags);
  require(lru || !(def.flags & kMapFlagNoCommonLru), def, "has BPF_F_NO_COMMON_LRU");
  require(!lru || !(def.flags & kMapFlagNoPrealloc), def, "has BPF_F_NO_PREALLOC");
  check_entries(def);
  require(def.key_size > 0, def, "has key size 0");
  require(def.value_size > 0, def, "has value size 0");
  require(uint64_t{def.key_size} + def.value_size < kKmallocMaxSize - 48, def,
          "has key and value sizes above KMALLOC_MAX_SIZE");
  if (percpu)
    require(round_up_8(def.value_size) <= kPercpuMinUnitSize, def,
            "has a per-CPU value above 32 KiB");
}

void check_fd_value(const MapDefinition& def) {
  require(def.value_size == 4, def, fmt::format("has value size {} (must be 4)", def.value_size));
}

void check_fd_array(const MapDefinition& def) {
  check_fd_value(def);
  require((def.flags & (kMapFlagReadOnlyProg | kMapFlagWriteOnlyProg)) == 0, def,
          "has program access flags");
  check_array(def);
}

void check_lpm_trie(const MapDefinition& def) {
  check_entries(def);
  require((def.flags & kMapFlagNoPrealloc) != 0, def, "lacks BPF_F_NO_PREALLOC");
  check_flags(def, kLpmFlags);
  require(def.key_size >= kLpmMinKeySize && def.key_size <= kLpmMaxKeySize, def,
          fmt::format("has key size {} (must be 5..260: u32 prefixlen and 1..256 data bytes)",
                      def.key_size));
  require(def.value_size >= 1 && def.value_size <= kKmallocMaxSize - 256 - 48, def,
          fmt::format("has value size {}", def.value_size));
}

void check_redirect_map(const MapDefinition& def) {
  check_entries(def);
  check_u32_key(def);
  switch (def.type) {
    case MapType::Devmap:
    case MapType::DevmapHash:
      require(def.value_size == 4 || def.value_size == 8, def,
              fmt::format("has value size {} (must be 4 or 8)", def.value_size));
      check_flags(def, kDevmapFlags);
      if (def.type == MapType::DevmapHash)
        require(def.max_entries <= (1u << 31), def, "has more than 2^31 entries");
      break;
    case MapType::Cpumap:
      require(def.value_size == 4 || def.value_size == 8, def,
              fmt::format("has value size {} (must be 4 or 8)", def.value_size));
      check_flags(def, kMapFlagNumaNode);
      require(def.max_entries <= kMaxCpus, def, "has more entries than NR_CPUS");
      break;
    default:  // Xskmap
      check_fd_value(def);
      check_flags(def, kMapFlagNumaNode | kMapFlagReadOnly | kMapFlagWriteOnly);
      break;
  }
}

void check_ringbuf(const MapDefinition& def) {
  check_flags(def, kMapFlagNumaNode);
  require(std::has_single_bit(def.max_entries) && def.max_entries % kPageSize == 0, def,
          fmt::format("has size {} (must be a power of 2 and a multiple of {})", def.max_entries,
                      kPageSize));
}

}  // namespace

std::unique_ptr<Map> create_map(const MapDefinition& def, const MapContext& context,
                                const MapLinks& links) {
  switch (def.type) {
    case MapType::Array:
    case MapType::PercpuArray:
      check_array(def);
      return std::make_unique<ArrayMap>(def, context);
    case MapType::Hash:
    case MapType::PercpuHash:
    case MapType::LruHash:
    case MapType::LruPercpuHash:
      check_hash(def);
      return std::make_unique<HashMap>(def, context);
    case MapType::LpmTrie:
      check_lpm_trie(def);
      return std::make_unique<LpmTrieMap>(def);
    case MapType::ProgArray:
      check_fd_array(def);
      return std::make_unique<ProgArrayMap>(def, links);
    case MapType::PerfEventArray: {
      // What loaders do before the kernel sees the map: libbpf sizes a perf event array
      // without max_entries to the number of CPUs, and cilium/ebpf replaces a BTF value type
      // (which only documents the events) with the u32 slots the kernel requires.
      MapDefinition sized = def;
      if (sized.max_entries == 0) sized.max_entries = context.num_cpus;
      sized.key_size = sized.value_size = 4;
      check_fd_array(sized);
      return std::make_unique<PerfEventArrayMap>(sized);
    }
    case MapType::ArrayOfMaps:
      check_fd_array(def);
      return std::make_unique<ArrayOfMapsMap>(def, links);
    case MapType::HashOfMaps:
      check_fd_value(def);
      check_hash(def);
      return std::make_unique<HashOfMapsMap>(def, links);
    case MapType::Devmap:
    case MapType::DevmapHash:
    case MapType::Cpumap:
    case MapType::Xskmap:
      check_redirect_map(def);
      return std::make_unique<RedirectMap>(def, context);
    case MapType::Ringbuf: {
      // Loaders (cilium/ebpf) drop BTF key/value types that only document the records.
      MapDefinition ring = def;
      ring.key_size = ring.value_size = 0;
      check_ringbuf(ring);
      return std::make_unique<RingbufMap>(ring);
    }
    default:
      throw Error(fmt::format("map '{}': type {} is not supported by nicsim's runtime", def.name,
                              map_type_name(def.type)));
  }
}

}  // namespace nicsim::ebpf
