#pragma once
// Shared by the AArch64 encoder tests: Capstone's decoding of encoded words ("mnemonic
// operands", as Capstone prints the Arm ARM's preferred aliases) and the operand spellings
// the expected text is written with.

#include <capstone/capstone.h>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "jit/arm64/a64_encoder.h"

namespace nicsim::jit::a64 {

class Capstone {
 public:
  Capstone() { cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &handle_); }
  ~Capstone() { cs_close(&handle_); }
  // "mnemonic operands" of each 4-byte word, decoded at address 0 and on.
  std::vector<std::string> decode(std::span<const uint8_t> bytes) const {
    std::vector<std::string> lines;
    for (size_t offset = 0; offset + 4 <= bytes.size(); offset += 4) {
      cs_insn* insn = nullptr;
      const size_t count = cs_disasm(handle_, bytes.data() + offset, 4, offset, 1, &insn);
      if (count == 0) {
        lines.push_back("<invalid>");
        continue;
      }
      std::string text = insn[0].mnemonic;
      if (insn[0].op_str[0] != '\0') text += std::string(" ") + insn[0].op_str;
      lines.push_back(text);
      cs_free(insn, count);
    }
    return lines;
  }

 private:
  csh handle_ = 0;
};

inline const Capstone& capstone() {
  static const Capstone instance;
  return instance;
}

// Capstone writes immediates in decimal up to 9, in hex above, with a sign.
inline std::string imm(int64_t value) {
  if (value < 0) return value > -10 ? fmt::format("#{}", value) : fmt::format("#-{:#x}", -value);
  return value < 10 ? fmt::format("#{}", value) : fmt::format("#{:#x}", value);
}

// Logical immediates are bit patterns, printed unsigned.
inline std::string uimm(uint64_t value) {
  return value < 10 ? fmt::format("#{}", value) : fmt::format("#{:#x}", value);
}

inline std::string x(int n) {
  return n == 31 ? "xzr" : fmt::format("x{}", n);
}
inline std::string w(int n) {
  return n == 31 ? "wzr" : fmt::format("w{}", n);
}
inline Reg reg(int n) {
  return static_cast<Reg>(n);
}

// Encodes with `emit` into a fresh buffer and decodes every instruction.
template <typename Emit>
std::vector<std::string> encode(Emit emit) {
  CodeBuffer code;
  A64Encoder encoder(code);
  emit(encoder, code);
  code.link(0);
  return capstone().decode(code.bytes());
}

template <typename Emit>
std::string one(Emit emit) {
  const auto lines = encode([&](A64Encoder& e, CodeBuffer&) { emit(e); });
  EXPECT_EQ(lines.size(), 1u);
  return lines.empty() ? "" : lines[0];
}

}  // namespace nicsim::jit::a64
