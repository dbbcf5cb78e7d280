#pragma once
// Bundle rules (docs/nic-isa.md section 5): what may share one bundle of L slots.

#include <span>
#include <string>

#include "firmware/isa/slot.h"

namespace nicsim::firmware {

// Empty when `slots` (one bundle, lane 0 first) obeys the bundle rules for a core with
// `memory_ports` memory operations per bundle; else the first rule it breaks.
std::string check_bundle(std::span<const Slot> slots, int memory_ports);

// True when the bundle holds a control operation (branch, callf, ret, exit).
bool is_control_bundle(std::span<const Slot> slots);

}  // namespace nicsim::firmware
