#pragma once
// Firmware routines: the helpers that are not hardware units, written in the core's own
// assembly (docs/nic-isa.md section 9). jit/nic links the routines a program calls after the
// program's code; a routine may use r0..r5, preserves r6..r9 and returns with `ret`.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "firmware/isa/slot.h"

namespace nicsim::firmware {

struct Routine {
  int32_t helper_id;
  std::string_view name;    // kernel helper name without the bpf_ prefix
  std::string_view source;  // NIC assembly, bundles of at most 2 slots
};

std::span<const Routine> firmware_routines();
const Routine* find_routine(int32_t helper_id);

// The routine's bundles for a core with `lanes` lanes and `memory_ports` ports, to be placed
// at `base_address`. Bundles wider than the core are split into consecutive bundles (the
// routine's bundles are written so that this keeps their meaning; it is checked). Pool
// constants are appended to `pool` (or reuse an equal entry).
std::vector<std::vector<Slot>> assemble_routine(const Routine& routine, int lanes, int memory_ports,
                                                uint32_t base_address, std::vector<uint64_t>& pool);

// Where the host puts the get_prandom_u32 state before the first packet (the runtime seed).
constexpr uint32_t kPrandomStateOffset = 0;

}  // namespace nicsim::firmware
