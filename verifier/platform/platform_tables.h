#pragma once
// The Linux platform's tables, shared by its source files (not part of the verifier API).

#include <span>

#include "verifier/platform/platform.h"

namespace nicsim::verifier {

const HelperPrototype* find_helper_prototype(int32_t id);
std::span<const HelperPrototype> all_helper_prototypes();

// Rules of each modelled program type; nullptr for types nicsim does not model.
const ProgramTypeRules* linux_program_type_rules(ProgramType type);

}  // namespace nicsim::verifier
