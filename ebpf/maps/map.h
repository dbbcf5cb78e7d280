#pragma once
// Host implementations of BPF maps with the kernel's semantics. Value storage is allocated
// once at creation and never moves, so a pointer returned by lookup() stays valid for as long
// as the entry exists (as in the kernel), and programs can be given raw host addresses.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "ebpf/program/program.h"

namespace nicsim::ebpf {

// Kernel update flags (BPF_ANY, BPF_NOEXIST, BPF_EXIST) and errno values returned negated.
constexpr uint64_t kMapUpdateAny = 0;
constexpr uint64_t kMapUpdateNoExist = 1;
constexpr uint64_t kMapUpdateExist = 2;

class Map;

// Per-CPU maps keep one value per simulated CPU; `current_cpu` selects the one that program
// lookups see. Both are owned by the Runtime.
struct MapContext {
  uint32_t num_cpus = 1;
  const uint32_t* current_cpu = nullptr;
};

// Map-in-map values and prog_array slots name other maps and programs of the object by index
// (what a file descriptor names in the kernel). `map_at` returns nullptr for an index that
// names no map. The Runtime provides both.
struct MapLinks {
  std::function<Map*(uint32_t index)> map_at;
  uint32_t program_count = 0;
};

class Map {
 public:
  explicit Map(const MapDefinition& def) : def_(def) {}
  virtual ~Map() = default;
  Map(const Map&) = delete;
  Map& operator=(const Map&) = delete;

  const MapDefinition& def() const { return def_; }

  // --- program-side operations (bpf_map_*_elem helpers) ---
  // Pointer to the value (the current CPU's copy for per-CPU maps), or nullptr.
  virtual void* lookup(const void* key) = 0;
  // 0, or -EEXIST / -ENOENT / -E2BIG / -EINVAL / -ENOMEM as the kernel returns.
  virtual int update(const void* key, const void* value, uint64_t flags) = 0;
  virtual int remove(const void* key) = 0;

  // --- host-side operations (bpf(2) syscall side) ---
  // Host value size: value_size for ordinary maps, num_cpus * round_up(value_size, 8) for
  // per-CPU maps (as the kernel's syscall interface lays them out).
  virtual size_t host_value_size() const { return def_.value_size; }
  virtual int host_lookup(const void* key, void* value_out) const = 0;
  virtual int host_update(const void* key, const void* value, uint64_t flags) = 0;
  // Iteration in the kernel's get_next_key order; key == nullptr returns the first key.
  // 0 with next_key written, or -ENOENT at the end.
  virtual int get_next_key(const void* key, void* next_key) const = 0;

  // --- memory safety ---
  // True when [addr, addr + len) lies inside one live value slot of this map (any CPU copy).
  virtual bool owns_value_range(uint64_t addr, uint64_t len) const = 0;

 private:
  MapDefinition def_;
};

// Creates the map described by `def`; throws nicsim::Error naming the map when its type or
// geometry is not supported (e.g. "map 'events': type user_ringbuf is not supported").
std::unique_ptr<Map> create_map(const MapDefinition& def, const MapContext& context,
                                const MapLinks& links = {});

}  // namespace nicsim::ebpf
