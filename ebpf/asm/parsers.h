#pragma once
// One instruction per line, after labels have been taken off: the parser of each syntax, and
// the instructions both syntaxes spell alike (exit, calls, raw slots).

#include <optional>
#include <string_view>

#include "ebpf/asm/lexer.h"
#include "ebpf/asm/operation.h"

namespace nicsim::ebpf::assembly {

// exit, call N, call name#N (kernel log), call local L, call pc+N, call <L>, call kfunc N, call
// %rN, callx rN, .raw V; nullopt if the line starts with none of them.
std::optional<Operation> parse_common(TokenStream& ts);

Operation parse_conformance(TokenStream& ts);
Operation parse_pseudoc(TokenStream& ts);

// Whether a line starting with `word` is in the conformance syntax ("mov", "ldxw", "jeq32"...).
bool is_conformance_mnemonic(std::string_view word);

}  // namespace nicsim::ebpf::assembly
