// Source text -> instructions: labels and syntax are decided line by line, instructions are
// parsed into Operations, then label references are resolved and everything is encoded.
#include "ebpf/asm/assembler.h"

#include <fmt/format.h>

#include <map>
#include <optional>
#include <string>

#include "ebpf/asm/lexer.h"
#include "ebpf/asm/operands.h"
#include "ebpf/asm/operation.h"
#include "ebpf/asm/parsers.h"

namespace nicsim::ebpf {

AsmError::AsmError(size_t line, const std::string& message)
    : Error(fmt::format("line {}: {}", line, message)), line_(line) {}

namespace assembly {
namespace {

struct ParsedInstruction {
  Operation op;
  size_t line;
  size_t slot;  // index of its first slot in the program
  AsmSyntax syntax;
};

struct LabelDefinition {
  size_t slot;
  size_t line;
};

// Listings carry the instruction index ("  12: r0 = 1", llvm-objdump and the kernel log) and
// the kernel log adds the opcode ("12: (b7) r0 = 1"); neither changes the instruction.
void skip_listing_prefix(TokenStream& ts) {
  if (!(ts.peek().is_number() && ts.peek(1).is(":"))) return;
  ts.next();
  ts.next();
  if (ts.peek().is("(") && ts.peek(2).is(")") && !is_register(ts.peek(1))) {
    ts.next();
    ts.next();
    ts.next();
  }
}

// "name:" or "<name>:"; returns the name and consumes it, or returns empty.
std::string take_label(TokenStream& ts) {
  if (ts.peek().is_identifier() && ts.peek(1).is(":")) {
    std::string name(ts.next().text);
    ts.next();
    return name;
  }
  if (ts.peek().is("<") && ts.peek(2).is(">") && ts.peek(3).is(":")) {
    ts.next();
    std::string name(ts.next().text);
    ts.next();
    ts.next();
    return name;
  }
  return {};
}

bool has_percent_register(const TokenStream& ts) {
  for (size_t i = 0; !ts.peek(i).is_end(); ++i) {
    const Token& t = ts.peek(i);
    if (t.is_identifier() && t.text.starts_with("%")) return true;
  }
  return false;
}

AsmSyntax detect_syntax(const TokenStream& ts) {
  if (has_percent_register(ts)) return AsmSyntax::Conformance;
  const Token& head = ts.peek();
  if (head.is("lock")) return ts.peek(1).is("*") ? AsmSyntax::PseudoC : AsmSyntax::Conformance;
  if (head.is_identifier() && is_conformance_mnemonic(head.text)) return AsmSyntax::Conformance;
  return AsmSyntax::PseudoC;
}

class ProgramBuilder {
 public:
  void add_line(std::string_view text, size_t line, AsmSyntax syntax) {
    TokenStream ts(tokenize(strip_comment(text), line), line);
    skip_listing_prefix(ts);
    for (std::string label = take_label(ts); !label.empty(); label = take_label(ts))
      define_label(label, line);
    if (ts.at_end()) return;
    const AsmSyntax line_syntax = syntax == AsmSyntax::Auto ? detect_syntax(ts) : syntax;
    Operation op =
        line_syntax == AsmSyntax::Conformance ? parse_conformance(ts) : parse_pseudoc(ts);
    ts.expect_end();
    instructions_.push_back({std::move(op), line, slots_, line_syntax});
    slots_ += slot_count(instructions_.back().op);
  }

  std::vector<Instruction> finish() {
    std::vector<Instruction> out;
    out.reserve(slots_);
    for (auto& insn : instructions_) {
      if (Target* target = target_of(insn.op)) resolve(insn, *target);
      encode(insn.op, out);
    }
    return out;
  }

 private:
  void define_label(const std::string& name, size_t line) {
    if (is_register(Token{TokenKind::Identifier, name}))
      throw AsmError(line, fmt::format("'{}' is a register and cannot be a label", name));
    const auto [it, inserted] = labels_.try_emplace(name, LabelDefinition{slots_, line});
    if (!inserted)
      throw AsmError(
          line, fmt::format("label '{}' is already defined on line {}", name, it->second.line));
  }

  // bpf_conformance programs jump to "exit" without defining it; its assembler resolves the
  // name to the program's first exit instruction (every such jump in tests_assembled.jsonl).
  std::optional<size_t> first_exit_slot() const {
    for (const auto& insn : instructions_)
      if (std::holds_alternative<Exit>(insn.op)) return insn.slot;
    return std::nullopt;
  }

  void resolve(const ParsedInstruction& insn, Target& target) {
    if (!target.label.empty()) {
      std::optional<size_t> slot;
      if (auto it = labels_.find(target.label); it != labels_.end()) {
        slot = it->second.slot;
      } else if (target.label == "exit" && insn.syntax == AsmSyntax::Conformance) {
        slot = first_exit_slot();
      }
      if (!slot)
        throw AsmError(insn.line, fmt::format("jump target '{}' is not a label", target.label));
      target.offset = static_cast<int64_t>(*slot) - static_cast<int64_t>(insn.slot + 1);
    }
    const int bits = target_bits(insn.op);
    const int64_t limit = int64_t{1} << (bits - 1);
    if (target.offset < -limit || target.offset >= limit) {
      const std::string name =
          target.label.empty() ? std::string("offset") : fmt::format("'{}'", target.label);
      throw AsmError(insn.line,
                     fmt::format("jump to {} is out of range ({} does not fit in {} bits)", name,
                                 target.offset, bits));
    }
  }

  std::vector<ParsedInstruction> instructions_;
  std::map<std::string, LabelDefinition, std::less<>> labels_;
  size_t slots_ = 0;
};

}  // namespace
}  // namespace assembly

std::vector<Instruction> assemble(std::string_view source, AsmSyntax syntax) {
  assembly::ProgramBuilder builder;
  size_t line = 1;
  size_t start = 0;
  while (start <= source.size()) {
    size_t end = source.find('\n', start);
    if (end == std::string_view::npos) end = source.size();
    builder.add_line(source.substr(start, end - start), line, syntax);
    start = end + 1;
    ++line;
  }
  return builder.finish();
}

}  // namespace nicsim::ebpf
