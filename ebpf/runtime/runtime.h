#pragma once
// Everything a program touches besides its registers and stack: the object's maps and
// programs (for tail calls), the services helpers provide (simulated clock, seeded random
// numbers, FIB, captured trace/perf/ringbuf output) and the state of the current invocation
// (packet frame, memory regions the program may access, redirect target, helper faults).
// One Runtime per engine, so that differential tests compare independent worlds.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ebpf/maps/map.h"
#include "ebpf/program/program.h"
#include "ebpf/runtime/fib.h"
#include "ebpf/runtime/xdp.h"

namespace nicsim::ebpf {

struct RuntimeConfig {
  uint32_t num_cpus = 1;
  uint32_t cpu = 0;                        // what get_smp_processor_id returns
  uint64_t prandom_seed = 0x6e696373696d;  // "nicsim"
  uint64_t start_time_ns = 1'000'000'000;  // ktime_get_ns before the first packet
};

enum class RegionKind : uint8_t { Stack, Context, Packet, RawMemory, MapValue, Ringbuf };

struct MemoryRegion {
  uint64_t begin = 0;
  uint64_t end = 0;  // exclusive
  bool writable = false;
  RegionKind kind = RegionKind::RawMemory;
};

// Where bpf_redirect / bpf_redirect_map sent the packet.
struct RedirectTarget {
  enum class Kind : uint8_t { None, Ifindex, Devmap, Cpumap, Xskmap };
  Kind kind = Kind::None;
  uint32_t ifindex = 0;  // Ifindex/Devmap: the egress interface; Cpumap: cpu; Xskmap: queue
  uint32_t map_index = 0;
  uint32_t key = 0;
  // bpf_redirect_map's BPF_F_BROADCAST / BPF_F_EXCLUDE_INGRESS (devmaps only): the packet
  // goes to every interface of the map (but the ingress one), `ifindex` is then 0.
  uint64_t flags = 0;
};

struct TraceRecord {
  uint64_t packet = 0;  // index of the invocation that printed it
  std::string text;
};
struct EventRecord {  // perf_event_output and ringbuf output/submit
  uint64_t packet = 0;
  uint32_t map_index = 0;
  uint32_t cpu = 0;
  std::vector<uint8_t> data;
};

class Runtime {
 public:
  // Creates every map of `object` (throws nicsim::Error for unsupported ones) and fills
  // global data maps and BTF `.values` initialisers (prog_array slots name programs,
  // map-in-map slots name maps). The object must outlive the runtime.
  explicit Runtime(const ElfObject& object, RuntimeConfig config = {});
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  const ElfObject& object() const { return *object_; }
  const RuntimeConfig& config() const { return config_; }

  // --- maps ---
  size_t map_count() const { return maps_.size(); }
  Map& map(size_t index) { return *maps_.at(index); }
  const Map& map(size_t index) const { return *maps_.at(index); }
  // The value a `lddw rX, map` loads: the map's host address, as in the kernel.
  uint64_t map_pointer(size_t index) const;
  // Resolves a map pointer passed to a helper; nullptr if `value` is not one of our maps.
  Map* map_from_pointer(uint64_t value) const;
  // The index of `map` among this Runtime's maps, or -1 when it is not one of them.
  int map_index(const Map* map) const {
    const uint32_t index = map->object_index();
    return index < maps_.size() && maps_[index].get() == map ? static_cast<int>(index) : -1;
  }

  // --- invocation state (set by engines around each run) ---
  // Inline: a repeated run (Engine::run_xdp_repeated) begins one invocation per run.
  void begin_invocation(XdpFrame* frame) {
    ++invocations_;
    frame_ = frame;
    if (fault_.has_value()) fault_.reset();
    redirect_ = RedirectTarget{};
    ringbuf_regions_.clear();
  }
  void set_regions(std::vector<MemoryRegion> regions) { regions_ = std::move(regions); }
  // The same, copied into the storage the Runtime keeps (no allocation once it has grown):
  // for engines that set them on every run.
  void copy_regions(std::span<const MemoryRegion> regions) {
    regions_.assign(regions.begin(), regions.end());
  }
  XdpFrame* frame() { return frame_; }
  // Whether a program (or a helper on its behalf) may access [addr, addr+len).
  bool accessible(uint64_t addr, uint64_t len, bool write) const;
  // A helper found a bad argument; the engine aborts the program with this message.
  void raise_fault(std::string message);
  const std::optional<std::string>& fault() const { return fault_; }
  RedirectTarget& redirect() { return redirect_; }
  uint64_t invocation_index() const { return invocations_; }

  // --- helper services ---
  uint32_t cpu() const { return current_cpu_; }
  // Selects the simulated CPU the next invocations run on (per-CPU map copies,
  // get_smp_processor_id); throws nicsim::Error when out of range.
  void set_cpu(uint32_t cpu);
  uint64_t now_ns() const { return now_ns_; }
  void set_now_ns(uint64_t ns) { now_ns_ = ns; }
  uint32_t next_prandom();
  Fib& fib() { return fib_; }
  void record_trace(std::string text);
  void record_event(uint32_t map_index, uint32_t cpu, std::vector<uint8_t> data);
  const std::vector<TraceRecord>& trace_log() const { return trace_; }
  const std::vector<EventRecord>& events() const { return events_; }
  // Ringbuf reservations stay accessible to the program until submitted or discarded.
  void add_ringbuf_region(uint64_t begin, uint64_t end);
  void remove_ringbuf_region(uint64_t begin);

 private:
  void fill_initial_slot(size_t map, uint32_t slot, const std::string& name);

  const ElfObject* object_;
  RuntimeConfig config_;
  uint32_t current_cpu_;
  std::vector<std::unique_ptr<Map>> maps_;
  std::vector<MemoryRegion> regions_;
  std::vector<MemoryRegion> ringbuf_regions_;
  XdpFrame* frame_ = nullptr;
  std::optional<std::string> fault_;
  RedirectTarget redirect_;
  uint64_t invocations_ = 0;
  uint64_t now_ns_;
  uint64_t prandom_state_;
  Fib fib_;
  std::vector<TraceRecord> trace_;
  std::vector<EventRecord> events_;
};

}  // namespace nicsim::ebpf
