#pragma once
// A hash of every field of a state, so that exact-equality checks (loop detection) can
// skip states that differ.

#include <cstdint>

#include "verifier/state/state.h"

namespace nicsim::verifier {

uint64_t hash_state(const VerifierState& s);

}  // namespace nicsim::verifier
