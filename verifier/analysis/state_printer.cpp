#include "verifier/analysis/state_printer.h"

#include <fmt/format.h>

namespace nicsim::verifier {

namespace {

std::string describe_with_maps(const RegisterState& r, const std::vector<ebpf::MapDefinition>& maps,
                               int frame) {
  if (r.map >= 0 && r.map < static_cast<int32_t>(maps.size())) {
    const MapShape shape{maps[r.map].name, maps[r.map].key_size, maps[r.map].value_size};
    return describe(r, &shape, frame);
  }
  return describe(r, nullptr, frame);
}

char slot_char(SlotByte b) {
  switch (b) {
    case SlotByte::Invalid:
      return '?';
    case SlotByte::Misc:
      return 'm';
    case SlotByte::Zero:
      return '0';
    case SlotByte::Spill:
      return 'r';
  }
  return '?';
}

}  // namespace

std::string format_state(const VerifierState& s, const std::vector<ebpf::MapDefinition>& maps) {
  std::string out;
  for (size_t f = 0; f < s.frames.size(); ++f) {
    const Frame& frame = s.frames[f];
    const int depth = static_cast<int>(f);
    if (depth > 0) out += fmt::format(" frame{}:", depth);
    for (int r = 0; r < kRegisterCount; ++r) {
      if (!frame.regs[r].is_init()) continue;
      out += fmt::format(" R{}={}", r, describe_with_maps(frame.regs[r], maps, depth));
    }
    for (int i = 0; i < frame.stack.allocated_slots(); ++i) {
      const StackSlot& slot = *frame.stack.slot(i);
      if (!slot.any_initialized()) continue;
      out += fmt::format(" fp{}=", -(i + 1) * kSlotSize);
      if (slot.is_spill()) {
        // Bytes above a narrow spill first, as the kernel prints them.
        for (int b = kSlotSize - 1; b >= slot.spill_size(); --b)
          out += slot_char(slot.bytes[b]);
        out += describe_with_maps(slot.spilled, maps, depth);
      } else {
        for (int b = kSlotSize - 1; b >= 0; --b)
          out += slot_char(slot.bytes[b]);
      }
    }
  }
  for (size_t i = 0; i < s.refs.size(); ++i) {
    out += i == 0 ? fmt::format(" refs={}", s.refs[i].id) : fmt::format(",{}", s.refs[i].id);
  }
  return out;
}

}  // namespace nicsim::verifier
