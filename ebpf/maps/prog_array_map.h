#pragma once
// BPF_MAP_TYPE_PROG_ARRAY: the jump table of bpf_tail_call. Slots hold indices into the
// object's programs (ElfObject::programs). The kernel also requires every program in the
// array to have the type of the program that uses it; nicsim does not check that.

#include "ebpf/maps/fd_array_map.h"

namespace nicsim::ebpf {

class ProgArrayMap : public FdArrayMap {
 public:
  ProgArrayMap(const MapDefinition& def, const MapLinks& links)
      : FdArrayMap(def), program_count_(links.program_count) {}

  // The program a tail call through slot `key` jumps to; nullopt makes the tail call fall
  // through to the next instruction.
  std::optional<uint32_t> program_at(uint32_t key) const { return entry(key); }

 protected:
  int check_value(uint32_t value) const override;

 private:
  uint32_t program_count_;
};

// BPF_MAP_TYPE_PERF_EVENT_ARRAY: one slot per CPU that perf_event_output may write to. The
// values (perf event fds in the kernel) are kept but not interpreted: nicsim treats every
// slot as having a reader, so that programs need no user-space setup to emit events.
class PerfEventArrayMap : public FdArrayMap {
 public:
  using FdArrayMap::FdArrayMap;

 protected:
  int check_value(uint32_t) const override { return 0; }
};

}  // namespace nicsim::ebpf
