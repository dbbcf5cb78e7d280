#pragma once
// Helpers shared by the assembler tests: reading files, bpf_conformance test files and the
// byte-level form of instructions.

#include <cstdint>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ebpf/isa/instruction.h"

namespace nicsim::ebpf::testing_support {

inline std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// An instruction from its 8 bytes in memory order (RFC 9669 little-endian layout), written
// as 16 hex digits the way tests_assembled.jsonl and llvm-objdump show them.
inline Instruction insn_from_bytes(const uint8_t* b) {
  Instruction insn;
  insn.opcode = b[0];
  insn.regs = b[1];
  insn.offset = static_cast<int16_t>(b[2] | (b[3] << 8));
  insn.imm = static_cast<int32_t>(static_cast<uint32_t>(b[4]) | (static_cast<uint32_t>(b[5]) << 8) |
                                  (static_cast<uint32_t>(b[6]) << 16) |
                                  (static_cast<uint32_t>(b[7]) << 24));
  return insn;
}

inline std::vector<uint8_t> bytes_from_hex(std::string_view hex) {
  std::vector<uint8_t> bytes;
  std::string digits;
  for (char c : hex)
    if (std::isxdigit(static_cast<unsigned char>(c))) digits += c;
  for (size_t i = 0; i + 1 < digits.size(); i += 2)
    bytes.push_back(static_cast<uint8_t>(std::stoul(digits.substr(i, 2), nullptr, 16)));
  return bytes;
}

inline std::vector<Instruction> insns_from_bytes(const std::vector<uint8_t>& bytes) {
  std::vector<Instruction> insns;
  for (size_t i = 0; i + 8 <= bytes.size(); i += 8)
    insns.push_back(insn_from_bytes(&bytes[i]));
  return insns;
}

// The sections of a bpf_conformance .data file ("-- asm", "-- raw", ...), by name.
struct ConformanceFile {
  std::string asm_text;
  std::vector<uint64_t> raw;
  bool has_raw = false;
};

inline ConformanceFile parse_conformance_file(const std::string& path) {
  ConformanceFile file;
  std::istringstream in(read_text_file(path));
  std::string line, section;
  while (std::getline(in, line)) {
    if (line.rfind("--", 0) == 0) {
      section = line.substr(2);
      section.erase(0, section.find_first_not_of(' '));
      section.erase(section.find_last_not_of(" \r") + 1);
      if (section == "raw") file.has_raw = true;
      continue;
    }
    if (section == "asm") {
      file.asm_text += line;
      file.asm_text += '\n';
    } else if (section == "raw") {
      const auto first = line.find_first_not_of(" \t");
      if (first == std::string::npos || line[first] == '#') continue;
      file.raw.push_back(std::stoull(line.substr(first), nullptr, 0));
    }
  }
  return file;
}

}  // namespace nicsim::ebpf::testing_support
