#include "testbench/kernel_oracle/map_transfer.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fmt/format.h>
#include <net/if.h>

#include <cerrno>
#include <cstring>
#include <map>

namespace nicsim::kernel_oracle {
namespace {

using ebpf::MapType;

// Devmap values start with an interface index; the kernel answers EINVAL (not ENODEV) for an
// interface it does not have, which says too little to tell a missing interface from a bug.
std::string refusal_reason(const ebpf::MapDefinition& def, const std::vector<uint8_t>& value,
                           int error) {
  if ((def.type == MapType::Devmap || def.type == MapType::DevmapHash) && value.size() >= 4) {
    uint32_t ifindex = 0;
    std::memcpy(&ifindex, value.data(), sizeof ifindex);
    char name[IF_NAMESIZE];
    if (if_indextoname(ifindex, name) == nullptr) {
      return fmt::format("interface {} does not exist on this machine (No such device)", ifindex);
    }
  }
  return std::strerror(error);
}

bool per_cpu(MapType type) {
  return type == MapType::PercpuHash || type == MapType::PercpuArray ||
         type == MapType::LruPercpuHash;
}

bool copyable(MapType type) {
  switch (type) {
    case MapType::Hash:
    case MapType::Array:
    case MapType::PercpuHash:
    case MapType::PercpuArray:
    case MapType::LruHash:
    case MapType::LruPercpuHash:
    case MapType::LpmTrie:
    // Interface indexes: the kernel takes them when this machine has such interfaces.
    case MapType::Devmap:
    case MapType::DevmapHash:
      return true;
    default:
      return false;
  }
}

size_t round_up_8(size_t n) {
  return (n + 7) / 8 * 8;
}

// Keys and values as byte strings (std::string keeps the comparisons simple).
using Entries = std::map<std::string, std::string>;

std::string bytes(const std::vector<uint8_t>& data) {
  return std::string(data.begin(), data.end());
}

std::string hex(const std::string& bytes) {
  std::string text;
  for (char byte : bytes)
    text += fmt::format("{:02x}", static_cast<uint8_t>(byte));
  return text;
}

// Every key and value of a kernel map (not per-CPU).
Entries kernel_entries(int fd, const ebpf::MapDefinition& def) {
  Entries entries;
  std::vector<uint8_t> key(def.key_size), next(def.key_size), value(def.value_size);
  const void* previous = nullptr;
  while (bpf_map_get_next_key(fd, previous, next.data()) == 0) {
    key = next;
    previous = key.data();
    if (bpf_map_lookup_elem(fd, key.data(), value.data()) == 0) entries[bytes(key)] = bytes(value);
  }
  return entries;
}

Entries nicsim_entries(const ebpf::Map& map) {
  Entries entries;
  const ebpf::MapDefinition& def = map.def();
  std::vector<uint8_t> key(def.key_size), next(def.key_size), value(map.host_value_size());
  const void* previous = nullptr;
  while (map.get_next_key(previous, next.data()) == 0) {
    key = next;
    previous = key.data();
    if (map.host_lookup(key.data(), value.data()) == 0) entries[bytes(key)] = bytes(value);
  }
  return entries;
}

}  // namespace

MapTransferReport copy_map_contents(const ebpf::Runtime& runtime, const KernelProgram& kernel) {
  MapTransferReport report;
  const int kernel_cpus = libbpf_num_possible_cpus();
  for (size_t index = 0; index < runtime.map_count(); ++index) {
    const ebpf::Map& map = runtime.map(index);
    const ebpf::MapDefinition& def = map.def();
    const int fd = kernel.map_fd(index);
    if (!copyable(def.type)) {
      report.skipped.push_back(
          fmt::format("map '{}': {} contents are not copied", def.name, map_type_name(def.type)));
      continue;
    }
    if (fd < 0) {
      report.skipped.push_back(fmt::format("map '{}': no kernel map", def.name));
      continue;
    }
    std::vector<uint8_t> key(def.key_size), next(def.key_size), value(map.host_value_size());
    const size_t slot = round_up_8(def.value_size);
    std::vector<uint8_t> kernel_value =
        per_cpu(def.type) ? std::vector<uint8_t>(slot * static_cast<size_t>(kernel_cpus))
                          : std::vector<uint8_t>(def.value_size);
    const void* previous = nullptr;
    while (map.get_next_key(previous, next.data()) == 0) {
      key = next;
      previous = key.data();
      if (map.host_lookup(key.data(), value.data()) != 0) continue;
      if (per_cpu(def.type)) {
        for (int cpu = 0; cpu < kernel_cpus; ++cpu) {
          std::memcpy(kernel_value.data() + static_cast<size_t>(cpu) * slot, value.data(),
                      def.value_size);
        }
      } else {
        std::memcpy(kernel_value.data(), value.data(), def.value_size);
      }
      if (bpf_map_update_elem(fd, key.data(), kernel_value.data(), BPF_ANY) != 0) {
        const int error = errno;
        report.skipped.push_back(fmt::format("map '{}': the kernel refused an entry: {}", def.name,
                                             refusal_reason(def, kernel_value, error)));
        continue;
      }
      ++report.entries_copied;
    }
  }
  return report;
}

std::vector<std::string> compare_map_contents(const ebpf::Runtime& runtime,
                                              const KernelProgram& kernel, MapComparison what) {
  std::vector<std::string> differences;
  for (size_t index = 0; index < runtime.map_count(); ++index) {
    const ebpf::Map& map = runtime.map(index);
    const MapType type = map.def().type;
    const int fd = kernel.map_fd(index);
    if (fd < 0 || (type != MapType::Hash && type != MapType::Array && type != MapType::LpmTrie)) {
      continue;
    }
    const auto ours = nicsim_entries(map);
    const auto theirs = kernel_entries(fd, map.def());
    for (const auto& [key, value] : ours) {
      const auto found = theirs.find(key);
      if (found == theirs.end()) {
        differences.push_back(fmt::format("map '{}': key {}: nicsim {}, kernel has no entry",
                                          map.def().name, hex(key), hex(value)));
      } else if (what == MapComparison::KeysAndValues && found->second != value) {
        differences.push_back(fmt::format("map '{}': key {}: nicsim {}, kernel {}", map.def().name,
                                          hex(key), hex(value), hex(found->second)));
      }
    }
    for (const auto& [key, value] : theirs) {
      if (!ours.contains(key)) {
        differences.push_back(fmt::format("map '{}': key {}: nicsim has no entry, kernel {}",
                                          map.def().name, hex(key), hex(value)));
      }
    }
  }
  return differences;
}

}  // namespace nicsim::kernel_oracle
