#include "ebpf/asm/lexer.h"

#include <fmt/format.h>

#include <array>
#include <cctype>

#include "ebpf/asm/assembler.h"

namespace nicsim::ebpf::assembly {

namespace {

bool is_identifier_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}

bool is_identifier_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}

// Longest first, so that "<<=" wins over "<<" and "<".
constexpr std::array<std::string_view, 18> kOperators = {
    "<<=", ">>=", "&==", "&!=", "+=", "-=", "*=", "/=", "%=",
    "|=",  "&=",  "^=",  "==",  "!=", "<=", ">=", "<<", ">>"};
constexpr std::string_view kSingleCharPunct = "+-*/%|&^=<>()[],:!~#";

// The kernel log writes helper calls as "call bpf_map_lookup_elem#1": a '#' between a name
// and a digit is part of the instruction, not a comment.
bool is_helper_number_sign(std::string_view line, size_t i) {
  return i > 0 && i + 1 < line.size() && is_identifier_char(line[i - 1]) &&
         std::isdigit(static_cast<unsigned char>(line[i + 1]));
}

}  // namespace

std::string_view strip_comment(std::string_view line) {
  size_t end = line.size();
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if ((c == '#' && !is_helper_number_sign(line, i)) || c == ';' ||
        (c == '/' && i + 1 < line.size() && line[i + 1] == '/')) {
      end = i;
      break;
    }
  }
  return line.substr(0, end);
}

std::vector<Token> tokenize(std::string_view text, size_t line) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    const size_t start = i;
    // "%r1": the conformance register prefix belongs to the name ("%=" stays an operator).
    const bool percent_register =
        c == '%' && i + 1 < text.size() && std::isalpha(static_cast<unsigned char>(text[i + 1]));
    if (is_identifier_start(c) || percent_register) {
      ++i;
      while (i < text.size() && is_identifier_char(text[i]))
        ++i;
      tokens.push_back({TokenKind::Identifier, text.substr(start, i - start)});
      continue;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) {
      while (i < text.size() && is_identifier_char(text[i]) && text[i] != '.')
        ++i;
      tokens.push_back({TokenKind::Number, text.substr(start, i - start)});
      continue;
    }
    bool matched = false;
    for (std::string_view op : kOperators) {
      if (text.substr(i, op.size()) == op) {
        tokens.push_back({TokenKind::Punct, text.substr(i, op.size())});
        i += op.size();
        matched = true;
        break;
      }
    }
    if (matched) continue;
    if (kSingleCharPunct.find(c) != std::string_view::npos) {
      tokens.push_back({TokenKind::Punct, text.substr(i, 1)});
      ++i;
      continue;
    }
    if (std::isprint(static_cast<unsigned char>(c)))
      throw AsmError(line, fmt::format("unexpected character '{}'", c));
    throw AsmError(line, fmt::format("unexpected byte 0x{:02x}", static_cast<unsigned char>(c)));
  }
  return tokens;
}

TokenStream::TokenStream(std::vector<Token> tokens, size_t line)
    : tokens_(std::move(tokens)), line_(line) {}

const Token& TokenStream::peek(size_t ahead) const {
  return pos_ + ahead < tokens_.size() ? tokens_[pos_ + ahead] : end_;
}

Token TokenStream::next() {
  Token token = peek();
  if (pos_ < tokens_.size()) ++pos_;
  return token;
}

bool TokenStream::accept(std::string_view text) {
  if (!peek().is(text)) return false;
  ++pos_;
  return true;
}

void TokenStream::expect(std::string_view text) {
  if (!accept(text)) fail(fmt::format("expected '{}' but found {}", text, describe(peek())));
}

std::string_view TokenStream::expect_identifier(std::string_view what) {
  if (!peek().is_identifier())
    fail(fmt::format("expected {} but found {}", what, describe(peek())));
  return next().text;
}

void TokenStream::expect_end() {
  if (!at_end()) fail(fmt::format("unexpected {} after the instruction", describe(peek())));
}

void TokenStream::fail(const std::string& message) const {
  throw AsmError(line_, message);
}

std::string TokenStream::describe(const Token& token) {
  if (token.is_end()) return "end of line";
  return fmt::format("'{}'", token.text);
}

}  // namespace nicsim::ebpf::assembly
