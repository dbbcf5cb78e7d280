#pragma once
// How many low bits of each register may be non-zero (a value below 2^width): used to drop
// redundant zero-extensions and to bound pointer offsets.

#include <array>
#include <cstdint>

#include "firmware/isa/opcodes.h"
#include "jit/nic/ir.h"

namespace nicsim::jit::nic {

using Widths = std::array<uint8_t, firmware::kNumOperandRegisters>;

void width_transfer(const Op& op, Widths& widths);
// At the program entry: r10 and (XDP) r1 hold NIC addresses, the rest anything.
Widths entry_widths(const Function& fn);
bool join_widths(Widths& into, const Widths& from);

}  // namespace nicsim::jit::nic
