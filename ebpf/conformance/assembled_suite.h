#pragma once
// The suite's programs already assembled: tests_assembled.jsonl holds one JSON object per test
// file ({"name": "add.data", "insns": ["b400000000000000", ...], ...}), each instruction as the
// hex of its 8 bytes in memory order. Read in place, so that engines are tested on exactly
// these encodings independently of nicsim's own assembler.

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ebpf/isa/instruction.h"

namespace nicsim::ebpf::conformance {

class AssembledSuite {
 public:
  // Throws nicsim::Error "<file>:<line>: ..." for unreadable files and malformed records.
  static AssembledSuite load(const std::filesystem::path& path);
  static AssembledSuite parse(std::string_view jsonl, std::string_view origin);

  // The instructions of test `name` ("add.data"), or nullptr.
  const std::vector<Instruction>* find(std::string_view name) const;
  size_t size() const { return programs_.size(); }

 private:
  std::map<std::string, std::vector<Instruction>, std::less<>> programs_;
};

}  // namespace nicsim::ebpf::conformance
