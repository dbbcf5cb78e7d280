#include "verifier/state/stack.h"

#include <algorithm>

namespace nicsim::verifier {

int StackSlot::spill_size() const {
  int n = 0;
  while (n < kSlotSize && bytes[n] == SlotByte::Spill)
    ++n;
  return n;
}

bool StackSlot::any_initialized() const {
  return std::any_of(bytes.begin(), bytes.end(), [](SlotByte b) { return b != SlotByte::Invalid; });
}

StackSlot& FrameStack::slot_for_write(int index) {
  if (index >= static_cast<int>(slots_.size())) slots_.resize(index + 1);
  return slots_[index];
}

SlotByte FrameStack::byte(int off) const {
  const StackSlot* s = slot(slot_index(off));
  return s == nullptr ? SlotByte::Invalid : s->bytes[byte_in_slot(off)];
}

bool FrameStack::operator==(const FrameStack& other) const {
  const int n = std::max(allocated_slots(), other.allocated_slots());
  static const StackSlot kEmpty{};
  for (int i = 0; i < n; ++i) {
    const StackSlot* a = slot(i);
    const StackSlot* b = other.slot(i);
    if (!(*(a ? a : &kEmpty) == *(b ? b : &kEmpty))) return false;
  }
  return true;
}

}  // namespace nicsim::verifier
