#pragma once
// The hex encodings bpf_conformance uses: whitespace-separated byte lists ("-- mem" sections,
// the plugin's stdin and memory argument), where a token may also hold several bytes in
// memory order ("b7000000..." as tests_assembled.jsonl writes instructions).

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "ebpf/isa/instruction.h"

namespace nicsim::ebpf::conformance {

// Throws nicsim::Error naming `what` and the offending token for anything but hex digits in
// pairs.
std::vector<uint8_t> parse_hex_bytes(std::string_view text, std::string_view what);

// Instructions from their bytes in memory order; throws when the size is not a multiple of 8.
std::vector<Instruction> instructions_from_bytes(std::span<const uint8_t> bytes,
                                                 std::string_view what);

// A "-- result" or "-- raw" value: hex with a 0x prefix, else decimal (as upstream reads them).
uint64_t parse_number(std::string_view text, std::string_view what);

}  // namespace nicsim::ebpf::conformance
