#include "jit/nic/facts.h"

#include <fmt/format.h>

#include "ebpf/util/error.h"

namespace nicsim::jit::nic {

ProgramFacts combine_facts(const ProgramFacts& a, const ProgramFacts& b) {
  if (a.insns.size() != b.insns.size())
    throw Error(fmt::format("facts for {} and {} instructions cannot be combined", a.insns.size(),
                            b.insns.size()));
  ProgramFacts out;
  out.source = a.source + " + " + b.source;
  out.insns.resize(a.insns.size());
  for (size_t i = 0; i < a.insns.size(); ++i) {
    const InstructionFacts& x = a.insns[i];
    const InstructionFacts& y = b.insns[i];
    InstructionFacts& f = out.insns[i];
    f.reachable = x.reachable && y.reachable;
    f.branch = x.branch != BranchFact::Unknown ? x.branch : y.branch;
    f.bounds_check = x.bounds_check || y.bounds_check;
    f.access_in_bounds = x.access_in_bounds || y.access_in_bounds;
  }
  return out;
}

}  // namespace nicsim::jit::nic
