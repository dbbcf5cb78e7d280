#pragma once
// Splits one line of assembly into tokens, for both syntaxes: identifiers (mnemonics,
// registers, labels; "%r1" and ".raw" are single identifiers), numbers (kept as text so that
// each operand applies its own range) and punctuation, longest operator first.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace nicsim::ebpf::assembly {

enum class TokenKind { Identifier, Number, Punct, End };

struct Token {
  TokenKind kind = TokenKind::End;
  std::string_view text;

  bool is(std::string_view s) const { return kind != TokenKind::Number && text == s; }
  bool is_identifier() const { return kind == TokenKind::Identifier; }
  bool is_number() const { return kind == TokenKind::Number; }
  bool is_end() const { return kind == TokenKind::End; }
};

// The line without its comment (`#`, `;` or `//` to the end of the line).
std::string_view strip_comment(std::string_view line);

// Throws AsmError for characters that no syntax uses.
std::vector<Token> tokenize(std::string_view text, size_t line);

// A cursor over the tokens of one line; every error it raises names the line.
class TokenStream {
 public:
  TokenStream(std::vector<Token> tokens, size_t line);

  // The token `ahead` positions on; an End token past the last one.
  const Token& peek(size_t ahead = 0) const;
  Token next();
  bool at_end() const { return peek().is_end(); }
  // Consumes the next token if its text is `text` (punctuation or identifier).
  bool accept(std::string_view text);
  void expect(std::string_view text);
  std::string_view expect_identifier(std::string_view what);
  // Fails unless every token has been consumed.
  void expect_end();

  size_t line() const { return line_; }
  [[noreturn]] void fail(const std::string& message) const;
  // "'foo'" for a token, "end of line" for End; for messages.
  static std::string describe(const Token& token);

 private:
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  size_t line_;
  Token end_;
};

}  // namespace nicsim::ebpf::assembly
