#pragma once
// The kernel log's rendering of a state: " R0=scalar(...) R1=ctx() R10=fp0 fp-8=mmmmmmmm".

#include <string>
#include <vector>

#include "ebpf/program/program.h"
#include "verifier/state/state.h"

namespace nicsim::verifier {

std::string format_state(const VerifierState& s, const std::vector<ebpf::MapDefinition>& maps);

}  // namespace nicsim::verifier
