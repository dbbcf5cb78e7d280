#pragma once
// PREVAIL pre-conditions ("r1.type=number", "r1.svalue=[0, 10]", "r2.type=stack",
// "r2.stack_offset=504", "s[504...511].type=number", "packet_size=64", ...) as entry
// states of nicsim's verifier, with the maps they refer to.

#include <vector>

#include "ebpf/program/program.h"
#include "verifier/prevail/prevail_asm.h"
#include "verifier/prevail/prevail_case.h"
#include "verifier/state/state.h"

namespace nicsim::verifier::prevail {

struct EntrySetup {
  std::vector<ebpf::MapDefinition> maps;
  // One entry state per combination of the alternatives "rN.type in {a, b}" allows.
  std::vector<VerifierState> alternatives;
};

// Throws nicsim::Error for constraints it does not understand. Patches the code's loads of
// maps by file descriptor to the indices of the maps created for them.
EntrySetup entry_states(const PrevailCase& c, AssembledCase& code);

}  // namespace nicsim::verifier::prevail
