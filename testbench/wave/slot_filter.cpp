#include "testbench/wave/slot_filter.h"

#include <cctype>
#include <cstdint>

#include "firmware/asm/nic_asm.h"
#include "firmware/isa/slot.h"

namespace nicsim::wave {

namespace {

// GTKWave may prefix a base ("0x", "h") and pad with leading zeros.
bool parse_hex(std::string_view text, uint64_t* value) {
  if (text.starts_with("0x") || text.starts_with("0X")) text.remove_prefix(2);
  while (text.size() > 16 && text.front() == '0')
    text.remove_prefix(1);
  if (text.empty() || text.size() > 16) return false;
  uint64_t v = 0;
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
    const int digit = std::isdigit(static_cast<unsigned char>(c))
                          ? c - '0'
                          : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
    v = (v << 4) | static_cast<uint64_t>(digit);
  }
  *value = v;
  return true;
}

}  // namespace

std::string translate_slot_value(std::string_view value) {
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back())))
    value.remove_suffix(1);
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front())))
    value.remove_prefix(1);
  uint64_t word = 0;
  if (!parse_hex(value, &word)) return std::string(value);
  firmware::Slot slot;
  if (!firmware::decode_slot(word, &slot).empty()) return std::string(value);
  return firmware::disassemble_slot(slot);
}

}  // namespace nicsim::wave
