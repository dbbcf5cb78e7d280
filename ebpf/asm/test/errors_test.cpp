// Bad input is reported as an AsmError naming the line, never as a crash.
#include <gtest/gtest.h>

#include <random>

#include "ebpf/asm/assembler.h"

namespace nicsim::ebpf {
namespace {

struct ErrorCase {
  const char* source;
  AsmSyntax syntax;
  size_t line;
  const char* message;  // the whole what() text
};

void expect_error(const ErrorCase& c) {
  SCOPED_TRACE(c.source);
  try {
    assemble(c.source, c.syntax);
    ADD_FAILURE() << "assembled without error";
  } catch (const AsmError& e) {
    EXPECT_EQ(e.line(), c.line);
    EXPECT_STREQ(e.what(), c.message);
  }
}

TEST(AsmErrors, MessagesNameTheLineAndTheProblem) {
  const ErrorCase cases[] = {
      {"exit\nfoo %r1", AsmSyntax::Auto, 2, "line 2: unknown mnemonic 'foo'"},
      {"r0 = 1\nr0 = 2\ngoto bar", AsmSyntax::Auto, 3, "line 3: jump target 'bar' is not a label"},
      {"mov %r0, 1", AsmSyntax::PseudoC, 1, "line 1: unknown mnemonic 'mov'"},
      {"r0 = 1", AsmSyntax::Conformance, 1, "line 1: unknown mnemonic 'r0'"},
      {"mov %r11, 1", AsmSyntax::Auto, 1,
       "line 1: invalid register '%r11' (registers are r0..r10)"},
      {"r0 = 0x100000000", AsmSyntax::Auto, 1,
       "line 1: immediate '0x100000000' does not fit in 32 bits (write '0x100000000 ll' for a "
       "64-bit load)"},
      {"mov %r0, 0x100000000", AsmSyntax::Auto, 1,
       "line 1: immediate '0x100000000' does not fit in 32 bits"},
      {"*(u8 *)(r1 + 40000) = 1", AsmSyntax::Auto, 1,
       "line 1: offset '40000' does not fit in 16 bits"},
      {"a:\nexit\na:", AsmSyntax::Auto, 3, "line 3: label 'a' is already defined on line 1"},
      {"r0 = 1 2", AsmSyntax::Auto, 1, "line 1: unexpected '2' after the instruction"},
      {"r0 = $", AsmSyntax::Auto, 1, "line 1: unexpected character '$'"},
      {"if r1 ~ r2 goto +1", AsmSyntax::Auto, 1, "line 1: unknown comparison '~'"},
      {"r1 = map[id:3][1]+8", AsmSyntax::Auto, 1, "line 1: map value element index must be [0]"},
      {"r2 = atomic_fetch_add((u64 *)(r1 + 0), r3)", AsmSyntax::Auto, 1,
       "line 1: 'atomic_fetch_add' returns its result in the source register r3"},
      {"lock *(u8 *)(r1 + 0) += r2", AsmSyntax::Auto, 1,
       "line 1: atomic operations are 32 or 64 bit"},
      {"r0 = *(u64 *)skb[1]", AsmSyntax::Auto, 1, "line 1: legacy packet loads are u8, u16 or u32"},
      {"r1 = -r2", AsmSyntax::Auto, 1,
       "line 1: negation must use the destination register ('r1 = -r1')"},
      {"goto +32768", AsmSyntax::Auto, 1,
       "line 1: jump to offset is out of range (32768 does not fit in 16 bits)"},
      {"ldxw %r0, [%r1+4", AsmSyntax::Auto, 1, "line 1: expected ']' but found end of line"},
      {"jeq %r1, 1", AsmSyntax::Auto, 1, "line 1: expected ',' but found end of line"},
      {"lock nand [%r1], %r2", AsmSyntax::Auto, 1, "line 1: unknown atomic operation 'nand'"},
      {"r1:", AsmSyntax::Auto, 1, "line 1: 'r1' is a register and cannot be a label"},
      {"r0 = 99999999999999999999 ll", AsmSyntax::Auto, 1,
       "line 1: number '99999999999999999999' does not fit in 64 bits"},
      {"r0 = 0x12g4", AsmSyntax::Auto, 1, "line 1: invalid number '0x12g4'"},
      {"w1 = (s32)w2", AsmSyntax::Auto, 1,
       "line 1: (s32) sign extension needs a 64-bit destination"},
      {"r1 = be17 r1", AsmSyntax::Auto, 1, "line 1: unexpected 'be17' after '='"},
      {"call", AsmSyntax::Auto, 1,
       "line 1: expected a helper number, a register or a function label after 'call' but "
       "found end of line"},
  };
  for (const auto& c : cases)
    expect_error(c);
}

TEST(AsmErrors, LabelJumpsBeyondSixteenBitsAreReported) {
  std::string source = "start:\n";
  for (int i = 0; i < 40000; ++i)
    source += "r0 += 1\n";
  source += "goto start\n";
  expect_error({source.c_str(), AsmSyntax::Auto, 40002,
                "line 40002: jump to 'start' is out of range (-40001 does not fit in 16 bits)"});
  // gotol has a 32-bit offset and reaches it.
  source.replace(source.rfind("goto"), 4, "gotol");
  const auto insns = assemble(source);
  EXPECT_EQ(insns.back(), make_insn(0x06, 0, 0, 0, -40001));
}

TEST(AsmErrors, AsmErrorIsANicsimError) {
  EXPECT_THROW(assemble("bogus"), nicsim::Error);
}

// Random lines built from the syntaxes' own vocabulary: each either assembles or throws
// AsmError; anything else (another exception, a crash under the sanitizer) fails.
TEST(AsmErrors, RandomTokenSoupNeverEscapesAsAnotherError) {
  const std::vector<std::string> vocabulary = {"r0",      "w1",         "%r2",
                                               "r10",     "r11",        "=",
                                               "+=",      "s",          ">>=",
                                               "-",       "+",          "*",
                                               "(",       ")",          "[",
                                               "]",       "u32",        "s16",
                                               "u64",     "goto",       "gotol",
                                               "if",      "lock",       "call",
                                               "exit",    "mov",        "ldxw",
                                               ",",       "lddw",       "map",
                                               "id",      ":",          "0",
                                               "1",       "0x7fffffff", "-1",
                                               "ll",      "<",          ">",
                                               "label",   "skb",        "atomic_fetch_add",
                                               "xchg_64", "cmpxchg_64", "func",
                                               "btf_id",  "be16",       "kfunc",
                                               "local",   "pc",         ".raw",
                                               "fetch",   "x",          "cx",
                                               "&",       "==",         "18446744073709551615",
                                               "mva",     "map_val"};
  std::mt19937 rng(12345);
  std::uniform_int_distribution<size_t> pick(0, vocabulary.size() - 1);
  std::uniform_int_distribution<int> length(1, 9);
  for (int i = 0; i < 20000; ++i) {
    std::string line;
    for (int n = length(rng); n > 0; --n)
      line += vocabulary[pick(rng)] + " ";
    try {
      assemble(line);
    } catch (const AsmError&) {
    } catch (const std::exception& e) {
      FAIL() << "'" << line << "' threw a non-AsmError: " << e.what();
    }
  }
}

}  // namespace
}  // namespace nicsim::ebpf
