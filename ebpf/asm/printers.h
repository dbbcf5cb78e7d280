#pragma once
// Operation -> text, one function per syntax. Each prints a form its parser reads back to the
// same Operation.

#include <cstdint>
#include <string>

#include "ebpf/asm/operation.h"

namespace nicsim::ebpf::assembly {

std::string print_pseudoc(const Operation& op);
std::string print_conformance(const Operation& op);

// "+3", "-2", "+0": relative jump offsets.
std::string relative(int64_t offset);
// The lddw pseudo-source forms both syntaxes share: "map[id:3]", "map[idx:3][0]+8",
// "btf_id[42]"; empty for a plain 64-bit constant.
std::string lddw_source_text(const LoadImm64& load);

}  // namespace nicsim::ebpf::assembly
