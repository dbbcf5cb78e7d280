#pragma once
// Numbering of every place a state holds a value — the registers and the 8-byte stack
// slots of each frame — so that liveness can be kept as one bit set.

#include <bitset>
#include <cstddef>

#include "verifier/state/state.h"

namespace nicsim::verifier {

constexpr size_t kLocationsPerFrame = kRegisterCount + kStackSlots;
constexpr size_t kLocationCount = kMaxFrames * kLocationsPerFrame;
using LocationSet = std::bitset<kLocationCount>;

constexpr size_t reg_location(int frame, int reg) {
  return static_cast<size_t>(frame) * kLocationsPerFrame + static_cast<size_t>(reg);
}
constexpr size_t slot_location(int frame, int slot) {
  return static_cast<size_t>(frame) * kLocationsPerFrame + kRegisterCount +
         static_cast<size_t>(slot);
}

}  // namespace nicsim::verifier
