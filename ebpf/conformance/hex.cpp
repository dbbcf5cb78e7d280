#include "ebpf/conformance/hex.h"

#include <fmt/format.h>

#include <charconv>
#include <cstring>

#include "ebpf/util/error.h"

namespace nicsim::ebpf::conformance {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::vector<uint8_t> parse_hex_bytes(std::string_view text, std::string_view what) {
  std::vector<uint8_t> bytes;
  size_t i = 0;
  while (i < text.size()) {
    if (is_space(text[i])) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < text.size() && !is_space(text[end]))
      ++end;
    const std::string_view token = text.substr(i, end - i);
    if (token.size() % 2 != 0)
      throw Error(fmt::format("{}: '{}' is not a whole number of hex bytes", what, token));
    for (size_t k = 0; k < token.size(); k += 2) {
      const int high = hex_digit(token[k]);
      const int low = hex_digit(token[k + 1]);
      if (high < 0 || low < 0) throw Error(fmt::format("{}: '{}' is not hexadecimal", what, token));
      bytes.push_back(static_cast<uint8_t>(high * 16 + low));
    }
    i = end;
  }
  return bytes;
}

std::vector<Instruction> instructions_from_bytes(std::span<const uint8_t> bytes,
                                                 std::string_view what) {
  if (bytes.size() % sizeof(Instruction) != 0)
    throw Error(fmt::format("{}: {} bytes are not a whole number of 8-byte instructions", what,
                            bytes.size()));
  std::vector<Instruction> insns(bytes.size() / sizeof(Instruction));
  if (!bytes.empty()) std::memcpy(insns.data(), bytes.data(), bytes.size());
  return insns;
}

uint64_t parse_number(std::string_view text, std::string_view what) {
  while (!text.empty() && is_space(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && is_space(text.back()))
    text.remove_suffix(1);
  int base = 10;
  std::string_view digits = text;
  if (digits.starts_with("0x") || digits.starts_with("0X")) {
    base = 16;
    digits.remove_prefix(2);
  }
  uint64_t value = 0;
  const auto [end, error] =
      std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size())
    throw Error(fmt::format("{}: '{}' is not a 64-bit number", what, text));
  return value;
}

}  // namespace nicsim::ebpf::conformance
