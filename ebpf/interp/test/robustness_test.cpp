// Bad programs never make the interpreter itself misbehave: thousands of random programs that
// pass the decoding rules (but no verifier) either run to an exit or abort with a diagnostic.
// Most useful under AddressSanitizer/UBSan, where any stray access fails the test.

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "ebpf/interp/test/test_support.h"
#include "ebpf/isa/validate.h"
#include "ebpf/runtime/helpers.h"
#include "ebpf/util/error.h"

namespace nicsim::ebpf::test {
namespace {

// Opcodes worth generating: every class, with both sources and all sizes.
std::vector<uint8_t> candidate_opcodes() {
  std::vector<uint8_t> opcodes;
  for (uint8_t cls : {kClassAlu, kClassAlu64}) {
    for (int op = 0; op <= 0xd; ++op) {
      opcodes.push_back(static_cast<uint8_t>(cls | (op << 4) | kSrcK));
      opcodes.push_back(static_cast<uint8_t>(cls | (op << 4) | kSrcX));
    }
  }
  for (uint8_t cls : {kClassJmp, kClassJmp32}) {
    for (int op = 0; op <= 0xd; ++op) {
      opcodes.push_back(static_cast<uint8_t>(cls | (op << 4) | kSrcK));
      opcodes.push_back(static_cast<uint8_t>(cls | (op << 4) | kSrcX));
    }
  }
  for (uint8_t size : {kSizeB, kSizeH, kSizeW, kSizeDw}) {
    opcodes.push_back(kClassLdx | kModeMem | size);
    opcodes.push_back(kClassLdx | kModeMemsx | size);
    opcodes.push_back(kClassSt | kModeMem | size);
    opcodes.push_back(kClassStx | kModeMem | size);
    opcodes.push_back(kClassStx | kModeAtomic | size);
    opcodes.push_back(kClassLd | kModeAbs | size);
    opcodes.push_back(kClassLd | kModeInd | size);
  }
  opcodes.push_back(kClassLd | kModeImm | kSizeDw);
  return opcodes;
}

Instruction random_instruction(std::mt19937_64& rng, const std::vector<uint8_t>& opcodes) {
  static constexpr int32_t kImmediates[] = {
      0, 1, -1, 2, 5, 7, 8, 16, 31, 32, 63, 64, 0x7fffffff, INT32_MIN, 0xc1, 0xf1, 0xe1, 0x51, 12};
  static constexpr int16_t kOffsets[] = {0, 1, -1, 2, -2, 3, -8, -16, 8, -512, -513, 16, 32};
  Instruction insn;
  insn.opcode = opcodes[rng() % opcodes.size()];
  insn.set_dst(static_cast<uint8_t>(rng() % 11));
  insn.set_src(static_cast<uint8_t>(rng() % 11));
  insn.offset = kOffsets[rng() % std::size(kOffsets)];
  insn.imm = kImmediates[rng() % std::size(kImmediates)];
  // Clean up the fields the decoding rules want zero, often enough to get valid programs.
  if (rng() % 2 == 0) insn.set_src(0);
  if (rng() % 3 == 0) insn.offset = 0;
  if (insn.is_call() && rng() % 2 == 0) {
    insn.set_dst(0);
    insn.set_src(rng() % 2 == 0 ? kCallHelper : kCallLocal);
    insn.imm = insn.src() == kCallHelper ? kHelperKtimeGetNs : static_cast<int32_t>(rng() % 5) - 2;
  }
  return insn;
}

TEST(InterpRobustness, RandomValidProgramsRunOrAbort) {
  std::mt19937_64 rng(20240601);
  const auto opcodes = candidate_opcodes();
  InterpreterOptions options;
  options.instruction_budget = 2000;
  int ran = 0, aborted = 0;
  for (int attempt = 0; attempt < 20000 && ran < 3000; ++attempt) {
    std::vector<Instruction> program;
    const size_t length = 1 + rng() % 12;
    while (program.size() < length) {
      const Instruction insn = random_instruction(rng, opcodes);
      program.push_back(insn);
      if (insn.is_lddw()) program.push_back(make_insn(0, 0, 0, 0, static_cast<int32_t>(rng())));
    }
    if (rng() % 2 == 0) program.push_back(exit_insn());
    // Replace what the decoding rules refuse by a harmless move, until the program decodes.
    for (bool replaced = true; replaced;) {
      replaced = false;
      for (size_t i = 0; i < program.size(); i += program[i].is_lddw() ? 2 : 1) {
        if (check_instruction(program, i).empty()) continue;
        if (program[i].is_lddw() && i + 1 < program.size()) program[i + 1] = mov64_imm(1, 1);
        program[i] = mov64_imm(static_cast<uint8_t>(rng() % 10), static_cast<int32_t>(rng()));
        replaced = true;
        break;
      }
    }
    try {
      validate_instructions(program);
    } catch (const Error&) {
      continue;
    }
    std::vector<uint8_t> memory(16, 0x5a);
    std::unique_ptr<Harness> harness;
    try {
      harness = std::make_unique<Harness>(program, options);
    } catch (const Error&) {
      continue;  // refused at construction (e.g. an atomic fetch into r10): also fine
    }
    const ExecutionResult result = harness->raw(memory);
    EXPECT_LE(result.instructions, options.instruction_budget);
    if (result.aborted) {
      ++aborted;
      EXPECT_FALSE(result.diagnostic.empty());
      EXPECT_EQ(result.diagnostic.rfind("insn ", 0), 0u) << result.diagnostic;
    }
    ++ran;
  }
  EXPECT_GE(ran, 1000) << "the generator should produce enough valid programs";
  // Both outcomes must be well represented for the test to mean anything.
  EXPECT_GE(aborted, ran / 10);
  EXPECT_GE(ran - aborted, ran / 10);
}

}  // namespace
}  // namespace nicsim::ebpf::test
