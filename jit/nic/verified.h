#pragma once
// The verifier's facts in the NIC compiler's terms, and compile() for a VerifiedProgram (the
// JIT contract: only verified programs are compiled). Kept apart from the compiler library so
// that the compiler builds and runs on its local analysis whether or not the verifier does.

#include "jit/nic/compiler.h"
#include "verifier/verifier.h"

namespace nicsim::jit::nic {

// Reachability, decided branches, which jumps are packet bounds checks (the jumps the verifier
// names as establishing a packet range) and which accesses are proven in bounds (accesses that
// go through a packet pointer on every path: the verifier proved them inside [data, data_end)
// or the metadata, both inside what the hardware allows). Map-value and context accesses are not
// marked: the hardware's rules for them (live entries, the context window's access sizes) are
// not the verifier's, so the compiler keeps treating them as faulting.
ProgramFacts facts_from_verifier(const verifier::ProgramFacts& facts);

// Compiles with the verifier's facts combined with the local analysis's (combine_facts).
CompileResult compile(const verifier::VerifiedProgram& verified,
                      const CompileOptions& options = {});

}  // namespace nicsim::jit::nic
