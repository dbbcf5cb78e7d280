#pragma once
// State pruning's question (the kernel's states_equal): is every concrete state described
// by `current` also described by `explored`, as far as the rest of the program can tell?
// Only locations in `live` (read after `explored` before being written) are compared.
// Links between registers (ids) must correspond one-to-one.

#include "verifier/state/locations.h"
#include "verifier/state/state.h"

namespace nicsim::verifier {

// Scalars of `explored` outside `precise` match any scalar: no continuation depended on
// their exact values.
bool state_includes(const VerifierState& explored, const VerifierState& current,
                    const LocationSet& live, const LocationSet& precise);

}  // namespace nicsim::verifier
