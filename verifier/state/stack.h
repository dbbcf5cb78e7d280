#pragma once
// A frame's 512-byte stack as the verifier tracks it: 8-byte slots, each byte either
// uninitialised, holding some number (misc), known zero, or part of a spilled register
// whose full state is kept with the slot.

#include <array>
#include <cstdint>
#include <vector>

#include "verifier/state/register.h"

namespace nicsim::verifier {

enum class SlotByte : uint8_t { Invalid, Misc, Zero, Spill };

constexpr int kSlotSize = 8;
constexpr int kStackBytes = 512;
constexpr int kStackSlots = kStackBytes / kSlotSize;

struct StackSlot {
  // bytes[0] is the lowest address of the slot (fp - 8 * (index + 1)).
  std::array<SlotByte, kSlotSize> bytes{};
  RegisterState spilled;  // valid while some bytes are Spill

  bool is_spill() const { return bytes[0] == SlotByte::Spill; }
  // Number of consecutive Spill bytes from the lowest address (the spill's width).
  int spill_size() const;
  bool is_full_spill() const { return spill_size() == kSlotSize; }
  bool any_initialized() const;

  friend bool operator==(const StackSlot&, const StackSlot&) = default;
};

// Slot index and byte position of stack offset `off` (-512 <= off < 0) from the frame top.
constexpr int slot_index(int off) {
  return (-off - 1) / kSlotSize;
}
constexpr int byte_in_slot(int off) {
  return off + kSlotSize * (slot_index(off) + 1);
}

class FrameStack {
 public:
  // Slots grow on demand; an absent slot is all Invalid.
  const StackSlot* slot(int index) const {
    return index < static_cast<int>(slots_.size()) ? &slots_[index] : nullptr;
  }
  StackSlot& slot_for_write(int index);
  SlotByte byte(int off) const;
  int allocated_slots() const { return static_cast<int>(slots_.size()); }

  // Same bytes and spills everywhere (absent slots count as all Invalid).
  bool operator==(const FrameStack& other) const;

 private:
  std::vector<StackSlot> slots_;
};

}  // namespace nicsim::verifier
