#include "jit/nic/verified.h"

namespace nicsim::jit::nic {

ProgramFacts facts_from_verifier(const verifier::ProgramFacts& facts) {
  ProgramFacts out;
  out.source = "verifier";
  out.insns.resize(facts.size());
  for (size_t i = 0; i < facts.size(); ++i) {
    const verifier::InstructionFacts& in = facts.at(i);
    InstructionFacts& f = out.insns[i];
    // The second slot of an lddw is part of the first: it is reached exactly when that is.
    f.reachable = in.second_slot && i > 0 ? out.insns[i - 1].reachable : in.reachable;
    if (in.branch_always_taken)
      f.branch = *in.branch_always_taken ? BranchFact::AlwaysTaken : BranchFact::NeverTaken;
    f.access_in_bounds = in.packet.only_packet;
  }
  for (size_t i = 0; i < facts.size(); ++i) {
    for (const int32_t jump : facts.at(i).packet.bounds_checks) {
      if (jump >= 0 && static_cast<size_t>(jump) < out.insns.size())
        out.insns[static_cast<size_t>(jump)].bounds_check = true;
    }
  }
  return out;
}

CompileResult compile(const verifier::VerifiedProgram& verified, const CompileOptions& options) {
  // The verifier explores both edges of packet-pointer comparisons (as the kernel does), so
  // the local analysis still decides bounds checks that earlier checks imply.
  const ProgramFacts facts =
      combine_facts(facts_from_verifier(verified.facts()), local_facts(verified.program()));
  return compile(verified.program(), verified.maps(), options, &facts);
}

}  // namespace nicsim::jit::nic
