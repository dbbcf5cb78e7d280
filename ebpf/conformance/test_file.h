#pragma once
// One bpf_conformance test file (tests/*.data): sections introduced by "-- asm", "-- mem",
// "-- result", "-- error" and "-- raw"; "-- c" and "-- no register offset" carry notes that
// no runner uses. Lines starting with '#' outside "-- c" are comments.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ebpf/isa/instruction.h"

namespace nicsim::ebpf::conformance {

struct ConformanceTest {
  std::string name;                         // file name, e.g. "add.data"
  std::string assembly;                     // the "-- asm" section, comments removed
  std::vector<uint8_t> memory;              // "-- mem": r1 points to it, r2 holds its size
  std::optional<uint64_t> expected_result;  // "-- result": r0 at exit
  std::string expected_error;               // "-- error": the runtime must refuse or abort
  std::vector<Instruction> raw;             // "-- raw": instructions as 64-bit values
};

// Throws nicsim::Error "<name>:<line>: ..." for unknown sections and malformed values, and
// when the test has neither a result nor an error.
ConformanceTest parse_conformance_test(std::string_view text, std::string name);
ConformanceTest load_conformance_test(const std::filesystem::path& path);

// The *.data files of a directory, sorted by name; throws if the directory cannot be read.
std::vector<std::filesystem::path> find_conformance_tests(const std::filesystem::path& directory);

}  // namespace nicsim::ebpf::conformance
