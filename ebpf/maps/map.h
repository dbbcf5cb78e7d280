#pragma once
// Host implementations of BPF maps with the kernel's semantics. Value storage is allocated
// once at creation and never moves, so a pointer returned by lookup() stays valid for as long
// as the entry exists (as in the kernel), and programs can be given raw host addresses.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <type_traits>
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
  // The index of the map in the Runtime that created it (UINT32_MAX until it is set), so that
  // Runtime::map_index, on the path of every bpf_redirect_map, needs no search.
  uint32_t object_index() const { return object_index_; }
  void set_object_index(uint32_t index) { object_index_ = index; }

  // --- program-side operations (bpf_map_*_elem helpers) ---
  // Pointer to the value (the current CPU's copy for per-CPU maps), or nullptr.
  virtual void* lookup(const void* key) = 0;
  // 0, or -EEXIST / -ENOENT / -E2BIG / -EINVAL / -ENOMEM as the kernel returns.
  virtual int update(const void* key, const void* value, uint64_t flags) = 0;
  virtual int remove(const void* key) = 0;
  // lookup() without virtual dispatch, for a caller that knows the map (a JIT-compiled call
  // site the verifier pinned to it): direct_lookup()(this, key) returns what lookup(key)
  // returns, as a plain C function with the key size fixed where it can be. nullptr when the
  // map offers none.
  using DirectLookup = void* (*)(Map* map, const void* key);
  virtual DirectLookup direct_lookup() const { return nullptr; }

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
  uint32_t object_index_ = UINT32_MAX;
};

// make(std::integral_constant<uint32_t, N>{}) for the key sizes programs commonly use (a u32,
// a u64, IPv6 addresses, flow tuples), N = 0 for the others (the size is then read at run
// time): how maps choose their DirectLookup.
template <class Make>
Map::DirectLookup direct_lookup_for_key_size(uint32_t key_size, Make make) {
  switch (key_size) {
    case 4:
      return make(std::integral_constant<uint32_t, 4>{});
    case 8:
      return make(std::integral_constant<uint32_t, 8>{});
    case 12:
      return make(std::integral_constant<uint32_t, 12>{});
    case 16:
      return make(std::integral_constant<uint32_t, 16>{});
    case 20:
      return make(std::integral_constant<uint32_t, 20>{});
    case 24:
      return make(std::integral_constant<uint32_t, 24>{});
    case 32:
      return make(std::integral_constant<uint32_t, 32>{});
    case 40:
      return make(std::integral_constant<uint32_t, 40>{});
    default:
      return make(std::integral_constant<uint32_t, 0>{});
  }
}

// Creates the map described by `def`; throws nicsim::Error naming the map when its type or
// geometry is not supported (e.g. "map 'events': type user_ringbuf is not supported").
std::unique_ptr<Map> create_map(const MapDefinition& def, const MapContext& context,
                                const MapLinks& links = {});

}  // namespace nicsim::ebpf
