#pragma once
// Operand parsers shared by both syntaxes: numbers with per-field ranges, registers, jump
// targets, byte swap names and the pseudo sources of lddw (map references, BTF ids,
// function addresses).

#include <cstdint>
#include <optional>
#include <string_view>

#include "ebpf/asm/lexer.h"
#include "ebpf/asm/operation.h"

namespace nicsim::ebpf::assembly {

// A literal as written: sign, magnitude and whether it carried an "ll" suffix.
struct Number {
  bool negative = false;
  uint64_t magnitude = 0;
  bool ll_suffix = false;
  std::string text;  // as written, sign included, for messages
};

// An optional '+' or '-' followed by a number; nullopt (nothing consumed) if there is none.
std::optional<Number> accept_number(TokenStream& ts);
Number expect_number(TokenStream& ts, std::string_view what);

bool fits_imm32(const Number& n);

// Range checks; each fails with a message naming the literal and the field.
int32_t to_imm32(const Number& n, const TokenStream& ts);     // -2^31 .. 2^32-1
int16_t to_offset16(const Number& n, const TokenStream& ts);  // -2^15 .. 2^15-1
uint64_t to_imm64(const Number& n, const TokenStream& ts);    // -2^63 .. 2^64-1
uint32_t to_uint32(const Number& n, const TokenStream& ts);   // 0 .. 2^32-1

struct Register {
  uint8_t num = 0;
  bool is32 = false;  // written "wN"
};

// Whether the token names a register: "r3", "w3", "%r3" (any number; the range is checked
// by expect_register so that "r11" is reported as a bad register, not as a label).
bool is_register(const Token& token);
Register expect_register(TokenStream& ts);

// "+3", "-2", "3", "pc+3", "label", "<label>"; a "<...>" annotation after a numeric target
// (as llvm-objdump prints it) is skipped.
Target parse_target(TokenStream& ts);

// "be16", "le32", "bswap64" and the RFC's "swap16" spelling of bswap.
std::optional<ByteSwap> swap_from_name(std::string_view name);

// The pseudo-source forms of lddw after "dst =" (or "lddw dst,"): map[id:N], map[id:N][0]+K,
// btf_id[N], func[+N] / func[label] (optionally followed by a "<...>" annotation), map[idx:N],
// map[idx:N][0]+K and the PREVAIL forms map_fd N, map_val(N) + K, map_by_idx(N), mva(map_by_idx(N))
// + K. nullopt if the next token starts none of them.
std::optional<Operation> parse_lddw_pseudo(TokenStream& ts, uint8_t dst);

}  // namespace nicsim::ebpf::assembly
