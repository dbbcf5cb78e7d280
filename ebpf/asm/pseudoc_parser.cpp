// The llvm-objdump / kernel verifier log syntax: assignments ("r0 = 1", "w1 s/= w2"),
// branches ("if r1 > r2 goto +3"), memory as C dereferences.
#include <fmt/format.h>

#include "ebpf/asm/mnemonics.h"
#include "ebpf/asm/parsers.h"
#include "ebpf/asm/pseudoc_parts.h"

namespace nicsim::ebpf::assembly {

namespace {

bool is_operator_prefix(std::string_view word) {
  return word == "s" || word == "s8" || word == "s16" || word == "s32" || word == "x" ||
         word == "cx";
}

Operand parse_operand(TokenStream& ts) {
  if (is_register(ts.peek())) return Operand::from_register(expect_register(ts).num);
  return Operand::from_immediate(to_imm32(expect_number(ts, "a register or an immediate"), ts));
}

uint8_t sign_extension_bits(std::string_view type) {
  if (type == "s8") return 8;
  if (type == "s16") return 16;
  if (type == "s32") return 32;
  return 0;
}

Operation move_sign_extend(TokenStream& ts, Register dst, uint8_t bits, uint8_t src) {
  if (bits == 32 && dst.is32) ts.fail("(s32) sign extension needs a 64-bit destination");
  return MoveSignExtend{!dst.is32, dst.num, src, bits};
}

// "(s8)r2" after "r1 =".
Operation parse_cast_move(TokenStream& ts, Register dst) {
  ts.expect("(");
  const std::string_view type = ts.expect_identifier("s8, s16 or s32");
  const uint8_t bits = sign_extension_bits(type);
  if (bits == 0) ts.fail(fmt::format("expected s8, s16 or s32 but found '{}'", type));
  ts.expect(")");
  return move_sign_extend(ts, dst, bits, expect_register(ts).num);
}

Operation parse_immediate_assignment(TokenStream& ts, Register dst, const Number& n) {
  if (n.ll_suffix || ts.accept("ll")) {
    const uint64_t value = to_imm64(n, ts);
    return LoadImm64{dst.num, kLddwImm64, static_cast<int32_t>(static_cast<uint32_t>(value)),
                     static_cast<int32_t>(static_cast<uint32_t>(value >> 32))};
  }
  if (!fits_imm32(n))
    ts.fail(fmt::format("immediate '{}' does not fit in 32 bits (write '{} ll' for a 64-bit load)",
                        n.text, n.text));
  return AluOp{!dst.is32, kAluMov, dst.num, Operand::from_immediate(to_imm32(n, ts)), false};
}

Operation parse_assignment(TokenStream& ts, Register dst) {
  const Token& rhs = ts.peek();
  if (rhs.is("-") && is_register(ts.peek(1))) {
    ts.next();
    if (expect_register(ts).num != dst.num)
      ts.fail("negation must use the destination register ('r1 = -r1')");
    return Negate{!dst.is32, dst.num};
  }
  if (auto n = accept_number(ts)) return parse_immediate_assignment(ts, dst, *n);
  if (is_register(rhs))
    return AluOp{!dst.is32, kAluMov, dst.num, Operand::from_register(expect_register(ts).num),
                 false};
  if (rhs.is("(")) return parse_cast_move(ts, dst);
  if (rhs.is("*")) return parse_load(ts, dst);
  if (rhs.is_identifier()) {
    if (auto swap = swap_from_name(rhs.text)) {
      ts.next();
      if (expect_register(ts).num != dst.num)
        ts.fail("byte swap must use the destination register ('r1 = be16 r1')");
      swap->dst = dst.num;
      return *swap;
    }
    if (auto pseudo = parse_lddw_pseudo(ts, dst.num)) return *pseudo;
    if (auto atomic = parse_atomic_call(ts, dst)) return *atomic;
  }
  ts.fail(fmt::format("unexpected {} after '='", TokenStream::describe(rhs)));
}

Operation parse_register_statement(TokenStream& ts) {
  const Register dst = expect_register(ts);
  const std::string op = read_operator(ts);
  if (op == "=") return parse_assignment(ts, dst);
  // PREVAIL's sign-extending move: "r1 s32= r2".
  if (op.ends_with("=")) {
    if (const uint8_t bits = sign_extension_bits(std::string_view(op).substr(0, op.size() - 1)))
      return move_sign_extend(ts, dst, bits, expect_register(ts).num);
  }
  for (const auto& n : kAluNames) {
    if (n.pseudoc == op && n.op != kAluMov)
      return AluOp{!dst.is32, n.op, dst.num, parse_operand(ts), n.is_signed};
  }
  ts.fail(fmt::format("unknown operator '{}'", op));
}

// After "if": rN <op> (rM | imm) goto <target>
Operation parse_conditional(TokenStream& ts) {
  const Register dst = expect_register(ts);
  const std::string op = read_operator(ts);
  const JumpName* jump = nullptr;
  for (const auto& n : kJumpNames)
    if (n.pseudoc == op) jump = &n;
  if (!jump) ts.fail(fmt::format("unknown comparison '{}'", op));
  const Operand src = parse_operand(ts);
  ts.expect("goto");
  return CondJump{!dst.is32, jump->op, dst.num, src, parse_target(ts)};
}

}  // namespace

std::string read_operator(TokenStream& ts) {
  const Token& t = ts.peek();
  if (t.is_identifier() && is_operator_prefix(t.text) && ts.peek(1).kind == TokenKind::Punct) {
    ts.next();
    return fmt::format("{}{}", t.text, ts.next().text);
  }
  if (t.kind != TokenKind::Punct)
    ts.fail(fmt::format("expected an operator but found {}", TokenStream::describe(t)));
  return std::string(ts.next().text);
}

Operation parse_pseudoc(TokenStream& ts) {
  if (auto common = parse_common(ts)) return *common;
  const Token& head = ts.peek();
  if (head.is("if")) {
    ts.next();
    return parse_conditional(ts);
  }
  if (head.is("goto") || head.is("gotol")) {
    const bool long_form = head.is("gotol");
    ts.next();
    return Goto{long_form, parse_target(ts)};
  }
  if (head.is("lock")) {
    ts.next();
    return parse_lock_statement(ts);
  }
  if (head.is("*")) return parse_store(ts);
  if (is_register(head)) return parse_register_statement(ts);
  if (head.is_identifier()) ts.fail(fmt::format("unknown mnemonic '{}'", head.text));
  ts.fail(fmt::format("expected an instruction but found {}", TokenStream::describe(head)));
}

}  // namespace nicsim::ebpf::assembly
