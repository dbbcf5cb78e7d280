#include "ebpf/asm/operands.h"

#include <fmt/format.h>

#include <cctype>
#include <limits>

namespace nicsim::ebpf::assembly {

namespace {

// Jump offsets beyond this are nonsense for any field; the assembler reports the exact range.
constexpr uint64_t kMaxTargetMagnitude = uint64_t{1} << 40;

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 99;
}

Number parse_literal(std::string_view text, bool negative, const TokenStream& ts) {
  Number n;
  n.negative = negative;
  n.text = fmt::format("{}{}", negative ? "-" : "", text);
  // C integer suffixes: "ll" marks a 64-bit constant in the pseudo-C syntax.
  std::string_view digits = text;
  while (!digits.empty() && std::string_view("uUlL").find(digits.back()) != std::string_view::npos)
    digits.remove_suffix(1);
  const std::string_view suffix = text.substr(digits.size());
  n.ll_suffix =
      suffix.find("ll") != std::string_view::npos || suffix.find("LL") != std::string_view::npos;
  unsigned base = 10;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    base = 16;
    digits.remove_prefix(2);
  }
  if (digits.empty() || suffix.size() > 3) ts.fail(fmt::format("invalid number '{}'", n.text));
  uint64_t value = 0;
  for (char c : digits) {
    const int d = digit_value(c);
    if (d >= static_cast<int>(base)) ts.fail(fmt::format("invalid number '{}'", n.text));
    if (value > (std::numeric_limits<uint64_t>::max() - d) / base)
      ts.fail(fmt::format("number '{}' does not fit in 64 bits", n.text));
    value = value * base + d;
  }
  n.magnitude = value;
  return n;
}

bool parse_register_name(std::string_view name, Register& out) {
  bool percent = false;
  if (!name.empty() && name[0] == '%') {
    percent = true;
    name.remove_prefix(1);
  }
  if (name.size() < 2 || name.size() > 4) return false;
  if (name[0] != 'r' && !(name[0] == 'w' && !percent)) return false;
  unsigned num = 0;
  for (char c : name.substr(1)) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    num = num * 10 + (c - '0');
  }
  out.num = static_cast<uint8_t>(num > 255 ? 255 : num);
  out.is32 = name[0] == 'w';
  return true;
}

// Two's complement of the literal; callers have checked that it fits.
int64_t signed_value(const Number& n) {
  return static_cast<int64_t>(n.negative ? uint64_t{0} - n.magnitude : n.magnitude);
}

void skip_annotation(TokenStream& ts) {
  if (!ts.accept("<")) return;
  while (!ts.at_end() && !ts.peek().is(">"))
    ts.next();
  ts.expect(">");
}

uint32_t bracketed_uint32(TokenStream& ts, std::string_view open, std::string_view close) {
  ts.expect(open);
  const uint32_t v = to_uint32(expect_number(ts, "a number"), ts);
  ts.expect(close);
  return v;
}

// "+ K" after a map value reference; absent means offset 0.
int32_t value_offset(TokenStream& ts) {
  if (!ts.accept("+")) return 0;
  return static_cast<int32_t>(to_uint32(expect_number(ts, "a value offset"), ts));
}

LoadImm64 map_reference(uint8_t dst, uint8_t pseudo, uint32_t map, int32_t offset = 0) {
  return LoadImm64{dst, pseudo, static_cast<int32_t>(map), offset};
}

}  // namespace

std::optional<Number> accept_number(TokenStream& ts) {
  size_t ahead = 0;
  bool negative = false;
  if (ts.peek().is("-") || ts.peek().is("+")) {
    negative = ts.peek().is("-");
    ahead = 1;
  }
  if (!ts.peek(ahead).is_number()) return std::nullopt;
  if (ahead) ts.next();
  return parse_literal(ts.next().text, negative, ts);
}

Number expect_number(TokenStream& ts, std::string_view what) {
  if (auto n = accept_number(ts)) return *n;
  ts.fail(fmt::format("expected {} but found {}", what, TokenStream::describe(ts.peek())));
}

bool fits_imm32(const Number& n) {
  return n.negative ? n.magnitude <= (uint64_t{1} << 31) : n.magnitude <= 0xffffffffu;
}

int32_t to_imm32(const Number& n, const TokenStream& ts) {
  if (!fits_imm32(n)) ts.fail(fmt::format("immediate '{}' does not fit in 32 bits", n.text));
  return static_cast<int32_t>(static_cast<uint32_t>(signed_value(n)));
}

int16_t to_offset16(const Number& n, const TokenStream& ts) {
  const bool fits = n.negative ? n.magnitude <= 32768 : n.magnitude <= 32767;
  if (!fits) ts.fail(fmt::format("offset '{}' does not fit in 16 bits", n.text));
  return static_cast<int16_t>(signed_value(n));
}

uint64_t to_imm64(const Number& n, const TokenStream& ts) {
  if (n.negative && n.magnitude > (uint64_t{1} << 63))
    ts.fail(fmt::format("immediate '{}' does not fit in 64 bits", n.text));
  return n.negative ? uint64_t{0} - n.magnitude : n.magnitude;
}

uint32_t to_uint32(const Number& n, const TokenStream& ts) {
  if (n.negative || n.magnitude > 0xffffffffu)
    ts.fail(fmt::format("'{}' is not an unsigned 32-bit number", n.text));
  return static_cast<uint32_t>(n.magnitude);
}

bool is_register(const Token& token) {
  Register r;
  return token.is_identifier() && parse_register_name(token.text, r);
}

Register expect_register(TokenStream& ts) {
  const Token& token = ts.peek();
  Register r;
  if (!token.is_identifier() || !parse_register_name(token.text, r))
    ts.fail(fmt::format("expected a register but found {}", TokenStream::describe(token)));
  if (r.num > 10) ts.fail(fmt::format("invalid register '{}' (registers are r0..r10)", token.text));
  ts.next();
  return r;
}

Target parse_target(TokenStream& ts) {
  Target target;
  const Token& first = ts.peek();
  const bool pc_relative = first.is("pc") && (ts.peek(1).is("+") || ts.peek(1).is("-"));
  if (pc_relative) ts.next();
  if (pc_relative || first.is("+") || first.is("-") || first.is_number()) {
    const Number n = expect_number(ts, "a jump offset");
    if (n.magnitude > kMaxTargetMagnitude)
      ts.fail(fmt::format("jump offset '{}' is out of range", n.text));
    target.offset = signed_value(n);
    skip_annotation(ts);
    return target;
  }
  if (ts.accept("<")) {
    const Token name = ts.next();
    if (name.is_end() || name.is(">")) ts.fail("expected a label name after '<'");
    ts.expect(">");
    target.label = std::string(name.text);
    return target;
  }
  if (!first.is_identifier() || is_register(first))
    ts.fail(fmt::format("expected a jump target (+N, -N or a label) but found {}",
                        TokenStream::describe(first)));
  target.label = std::string(ts.next().text);
  return target;
}

std::optional<ByteSwap> swap_from_name(std::string_view name) {
  struct Prefix {
    std::string_view text;
    SwapKind kind;
  };
  constexpr Prefix kPrefixes[] = {{"be", SwapKind::ToBigEndian},
                                  {"le", SwapKind::ToLittleEndian},
                                  {"bswap", SwapKind::Unconditional},
                                  {"swap", SwapKind::Unconditional}};
  for (const auto& p : kPrefixes) {
    if (!name.starts_with(p.text)) continue;
    const std::string_view bits = name.substr(p.text.size());
    if (bits == "16" || bits == "32" || bits == "64")
      return ByteSwap{p.kind, 0, bits == "16" ? 16 : bits == "32" ? 32 : 64};
  }
  return std::nullopt;
}

std::optional<Operation> parse_lddw_pseudo(TokenStream& ts, uint8_t dst) {
  const Token& head = ts.peek();
  if (!head.is_identifier()) return std::nullopt;
  const std::string_view name = head.text;
  if (name == "map" && ts.peek(1).is("[")) {
    ts.next();
    ts.expect("[");
    const std::string_view kind = ts.expect_identifier("'id' or 'idx'");
    if (kind != "id" && kind != "idx")
      ts.fail(fmt::format("expected 'id' or 'idx' but found '{}'", kind));
    ts.expect(":");
    const uint32_t map = to_uint32(expect_number(ts, "a map number"), ts);
    ts.expect("]");
    const bool by_index = kind == "idx";
    if (!ts.peek().is("[")) return map_reference(dst, by_index ? kLddwMapIdx : kLddwMapFd, map);
    if (bracketed_uint32(ts, "[", "]") != 0) ts.fail("map value element index must be [0]");
    return map_reference(dst, by_index ? kLddwMapIdxValue : kLddwMapValue, map, value_offset(ts));
  }
  if (name == "btf_id" && ts.peek(1).is("[")) {
    ts.next();
    return map_reference(dst, kLddwBtfId, bracketed_uint32(ts, "[", "]"));
  }
  if (name == "func" && ts.peek(1).is("[")) {
    ts.next();
    ts.expect("[");
    LoadFuncAddress load{dst, parse_target(ts)};
    ts.expect("]");
    skip_annotation(ts);  // "func[+3] <7>" in listings
    return load;
  }
  if (name == "map_fd" && ts.peek(1).is_number()) {
    ts.next();
    return map_reference(dst, kLddwMapFd, to_uint32(expect_number(ts, "a map number"), ts));
  }
  if (name == "map_val" && ts.peek(1).is("(")) {
    ts.next();
    const uint32_t map = bracketed_uint32(ts, "(", ")");
    return map_reference(dst, kLddwMapValue, map, value_offset(ts));
  }
  if (name == "map_by_idx" && ts.peek(1).is("(")) {
    ts.next();
    return map_reference(dst, kLddwMapIdx, bracketed_uint32(ts, "(", ")"));
  }
  if (name == "mva" && ts.peek(1).is("(")) {
    ts.next();
    ts.expect("(");
    ts.expect("map_by_idx");
    const uint32_t map = bracketed_uint32(ts, "(", ")");
    ts.expect(")");
    return map_reference(dst, kLddwMapIdxValue, map, value_offset(ts));
  }
  return std::nullopt;
}

}  // namespace nicsim::ebpf::assembly
