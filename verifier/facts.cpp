#include "verifier/facts.h"

namespace nicsim::verifier {

std::vector<int32_t> ProgramFacts::dead_instructions() const {
  std::vector<int32_t> dead;
  for (size_t i = 0; i < insns_.size(); ++i) {
    if (!insns_[i].reachable && !insns_[i].second_slot) dead.push_back(static_cast<int32_t>(i));
  }
  return dead;
}

}  // namespace nicsim::verifier
