#include "firmware/isa/bundle.h"

#include <fmt/format.h>

namespace nicsim::firmware {

std::string check_bundle(std::span<const Slot> slots, int memory_ports) {
  int memory = 0, multiplier = 0, divider = 0, unit = 0;
  bool has_hcall = false, has_branch = false, after_unconditional = false;
  uint16_t written = 0;
  for (size_t lane = 0; lane < slots.size(); ++lane) {
    const Slot& s = slots[lane];
    if (std::string error = check_slot(s); !error.empty())
      return fmt::format("lane {}: {}", lane, error);
    memory += is_memory_op(s);
    multiplier += uses_multiplier(s);
    divider += uses_divider(s);
    unit += is_unit_op(s);
    has_hcall |= s.op == OpClass::HCall;
    has_branch |= s.op == OpClass::Branch;
    const uint16_t writes = registers_written(s);
    if (writes & written)
      return fmt::format("lane {}: writes a register another lane of the bundle writes", lane);
    written |= writes;
    if (is_control_op(s)) {
      if (after_unconditional)
        return fmt::format("lane {}: control operation after an unconditional one", lane);
      after_unconditional = is_unconditional_control(s);
    }
  }
  if (memory > memory_ports)
    return fmt::format("{} memory operations, the core has {} ports", memory, memory_ports);
  if (multiplier > 1) return "more than one multiplication";
  if (divider > 1) return "more than one division";
  if (unit > 1) return "more than one hcall/callf/ret/exit";
  if (has_hcall && has_branch) return "hcall shares the bundle with a branch";
  if (has_hcall && memory > 0) return "hcall shares the bundle with a memory operation";
  return {};
}

bool is_control_bundle(std::span<const Slot> slots) {
  for (const Slot& s : slots) {
    if (is_control_op(s)) return true;
  }
  return false;
}

}  // namespace nicsim::firmware
