// assemble(disassemble(x)) == x: for a generated set holding every instruction form the
// decoding rules accept (with boundary field values), and for arbitrary random slots.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "ebpf/asm/assembler.h"
#include "ebpf/asm/disassembler.h"
#include "ebpf/isa/validate.h"

namespace nicsim::ebpf {
namespace {

constexpr AsmSyntax kSyntaxes[] = {AsmSyntax::Conformance, AsmSyntax::PseudoC};

// One instruction (two slots for lddw) and where it must sit for its jump target to exist.
struct Sample {
  std::vector<Instruction> slots;
  size_t position = 0;      // index of the first slot in the checking program
  size_t program_size = 4;  // slots in the checking program
};

constexpr int32_t kImms[] = {0, 1, -1, 0x1234, INT32_MIN, INT32_MAX};
constexpr int16_t kOffsets[] = {0, 8, -8, 32767, -32768};
constexpr int16_t kJumpOffsets[] = {0, 1, -1, 32767, -32768};
constexpr uint8_t kAluOps[] = {kAluAdd, kAluSub, kAluMul, kAluDiv, kAluOr,  kAluAnd,
                               kAluLsh, kAluRsh, kAluMod, kAluXor, kAluMov, kAluArsh};
constexpr uint8_t kJumpOps[] = {kJmpJeq,  kJmpJgt, kJmpJge, kJmpJset, kJmpJne, kJmpJsgt,
                                kJmpJsge, kJmpJlt, kJmpJle, kJmpJslt, kJmpJsle};
constexpr uint8_t kSizes[] = {kSizeB, kSizeH, kSizeW, kSizeDw};
constexpr int32_t kAtomicOps[] = {kAtomicAdd,  kAtomicAdd | kAtomicFetch,
                                  kAtomicOr,   kAtomicOr | kAtomicFetch,
                                  kAtomicAnd,  kAtomicAnd | kAtomicFetch,
                                  kAtomicXor,  kAtomicXor | kAtomicFetch,
                                  kAtomicXchg, kAtomicCmpxchg};

void add(std::vector<Sample>& out, Instruction insn) {
  out.push_back({{insn}});
}

void add_alu(std::vector<Sample>& out) {
  for (uint8_t cls : {kClassAlu, kClassAlu64}) {
    for (uint8_t op : kAluOps) {
      const bool signable = op == kAluDiv || op == kAluMod;
      for (int16_t off : {0, 1}) {
        if (off == 1 && !signable) continue;
        for (uint8_t dst : {0, 5, 9})
          for (int32_t imm : kImms)
            add(out, make_insn(cls | op | kSrcK, dst, 0, off, imm));
        for (uint8_t src : {0, 1, 10})
          add(out, make_insn(cls | op | kSrcX, 9, src, off, 0));
      }
    }
    for (int16_t bits : {8, 16, 32}) {
      if (bits == 32 && cls == kClassAlu) continue;
      for (uint8_t src : {0, 10})
        add(out, make_insn(cls | kAluMov | kSrcX, 1, src, bits, 0));
    }
    for (uint8_t dst : {0, 9})
      add(out, make_insn(cls | kAluNeg, dst, 0, 0, 0));
    for (int32_t bits : {16, 32, 64}) {
      add(out, make_insn(cls | kAluEnd | kSrcK, 3, 0, 0, bits));
      if (cls == kClassAlu) add(out, make_insn(cls | kAluEnd | kSrcX, 3, 0, 0, bits));
    }
  }
}

void add_memory(std::vector<Sample>& out) {
  for (uint8_t size : kSizes) {
    for (int16_t off : kOffsets) {
      add(out, make_insn(kClassLdx | size | kModeMem, 9, 10, off, 0));
      if (size != kSizeDw) add(out, make_insn(kClassLdx | size | kModeMemsx, 0, 1, off, 0));
      for (int32_t imm : kImms)
        add(out, make_insn(kClassSt | size | kModeMem, 10, 0, off, imm));
      add(out, make_insn(kClassStx | size | kModeMem, 10, 9, off, 0));
    }
  }
  for (uint8_t size : {kSizeW, kSizeDw})
    for (int32_t op : kAtomicOps)
      for (int16_t off : {0, -8, 32767})
        add(out, make_insn(kClassStx | size | kModeAtomic, 10, 0, off, op));
  for (uint8_t size : {kSizeB, kSizeH, kSizeW}) {
    for (int32_t imm : {0, 23, -1, INT32_MAX}) {
      add(out, make_insn(kClassLd | size | kModeAbs, 0, 0, 0, imm));
      for (uint8_t src : {0, 7, 10})
        add(out, make_insn(kClassLd | size | kModeInd, 0, src, 0, imm));
    }
  }
}

void add_lddw(std::vector<Sample>& out) {
  auto pair = [&](uint8_t dst, uint8_t src, int32_t lo, int32_t hi) {
    out.push_back({{make_insn(0x18, dst, src, 0, lo), make_insn(0, 0, 0, 0, hi)}, 10, 20});
  };
  for (uint8_t dst : {0, 9}) {
    for (auto [lo, hi] : {std::pair{0, 0},
                          {-1, -1},
                          {INT32_MIN, 0},
                          {0x55667788, 0x11223344},
                          {0, INT32_MIN},
                          {-1, INT32_MAX}})
      pair(dst, kLddwImm64, lo, hi);
    for (uint8_t src : {kLddwMapFd, kLddwBtfId, kLddwMapIdx})
      for (int32_t id : {0, 3, -1})
        pair(dst, src, id, 0);
    for (uint8_t src : {kLddwMapValue, kLddwMapIdxValue})
      for (int32_t id : {0, 3, -1})
        for (int32_t value : {0, 8, -1})
          pair(dst, src, id, value);
    for (int32_t off : {-3, 0, 5})
      pair(dst, kLddwFunc, off, 0);
  }
}

void add_jumps(std::vector<Sample>& out) {
  auto far = [&](Instruction insn, size_t position, size_t size) {
    out.push_back({{insn}, position, size});
  };
  for (uint8_t cls : {kClassJmp, kClassJmp32}) {
    for (uint8_t op : kJumpOps) {
      for (int16_t off : kJumpOffsets) {
        for (int32_t imm : {0, -1, INT32_MIN})
          far(make_insn(cls | op | kSrcK, 10, 0, off, imm), 40000, 80000);
        for (uint8_t src : {1, 10})
          far(make_insn(cls | op | kSrcX, 0, src, off, 0), 40000, 80000);
      }
    }
  }
  for (int16_t off : kJumpOffsets)
    far(make_insn(kClassJmp | kJmpJa, 0, 0, off, 0), 40000, 80000);
  for (int32_t imm : {0, 1, -1, 70000, -70000})
    far(make_insn(kClassJmp32 | kJmpJa, 0, 0, 0, imm), 80000, 160000);
  for (int32_t id : {0, 1, 5, 212, -1, INT32_MAX})
    add(out, make_insn(0x85, 0, kCallHelper, 0, id));
  for (int32_t id : {1, 42})
    add(out, make_insn(0x85, 0, kCallKfunc, 0, id));
  for (int32_t off : {-3, 0, 5})
    far(make_insn(0x85, 0, kCallLocal, 0, off), 10, 20);
  for (uint8_t reg : {0, 5, 10})
    add(out, make_insn(0x8d, reg, 0, 0, 0));
  add(out, make_insn(0x95, 0, 0, 0, 0));
}

const std::vector<Sample>& generated_samples() {
  static const std::vector<Sample> samples = [] {
    std::vector<Sample> s;
    add_alu(s);
    add_memory(s);
    add_lddw(s);
    add_jumps(s);
    return s;
  }();
  return samples;
}

// What distinguishes instruction forms beyond the opcode byte.
std::tuple<int, int, int> form_key(const Instruction& insn) {
  if (insn.is_lddw() || insn.is_call()) return {insn.opcode, insn.src(), 0};
  if (insn.cls() == kClassStx && insn.mode() == kModeAtomic) return {insn.opcode, insn.imm, 0};
  if (insn.is_alu() && insn.op() == kAluEnd) return {insn.opcode, insn.imm, 0};
  if (insn.is_alu()) return {insn.opcode, 0, insn.offset};
  return {insn.opcode, 0, 0};
}

std::string hex(std::span<const Instruction> slots) {
  std::string s;
  for (const auto& insn : slots)
    s += fmt::format(" 0x{:016x}", insn.raw());
  return s;
}

TEST(RoundTrip, GeneratedSetHoldsOnlyValidInstructions) {
  for (const Sample& sample : generated_samples()) {
    std::vector<Instruction> program(sample.program_size, make_insn(0x95, 0, 0, 0, 0));
    std::copy(sample.slots.begin(), sample.slots.end(), program.begin() + sample.position);
    EXPECT_EQ(check_instruction(program, sample.position), "") << hex(sample.slots);
  }
}

TEST(RoundTrip, GeneratedSetCoversEveryFormTheDecodingRulesAccept) {
  std::set<std::tuple<int, int, int>> generated;
  for (const Sample& sample : generated_samples())
    generated.insert(form_key(sample.slots[0]));
  // Brute force over the fields that select a form; jumps land on the next slots.
  std::vector<Instruction> program(4, make_insn(0x95, 0, 0, 0, 0));
  std::set<std::tuple<int, int, int>> valid;
  for (int opcode = 0; opcode < 256; ++opcode) {
    for (uint8_t dst : {0, 1}) {
      for (uint8_t src : {0, 1, 2, 3, 4, 5, 6}) {
        for (int16_t off : {0, 1, 8, 16, 32}) {
          for (int32_t imm : {0, 1, 16, 32, 64, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1}) {
            program[0] = make_insn(static_cast<uint8_t>(opcode), dst, src, off, imm);
            program[1] = make_insn(0, 0, 0, 0, 0);
            if (check_instruction(program, 0).empty()) valid.insert(form_key(program[0]));
          }
        }
      }
    }
  }
  for (const auto& key : valid)
    EXPECT_TRUE(generated.contains(key))
        << "no generated sample for opcode 0x" << std::hex << std::get<0>(key) << " ("
        << std::get<1>(key) << ", " << std::get<2>(key) << ")";
  // Counted from RFC 9669: ALU 37 + ALU64 35 (12 ops x K/X, signed div/mod, movsx widths, neg,
  // byte swaps), JMP 28 + JMP32 23, LDX 7, ST 4, STX 4 + atomics 20, LD 13 (7 lddw sources,
  // 3 ABS, 3 IND) = 171.
  EXPECT_EQ(valid.size(), 171u);
}

TEST(RoundTrip, GeneratedInstructionsInBothSyntaxes) {
  for (const Sample& sample : generated_samples()) {
    for (AsmSyntax syntax : kSyntaxes) {
      const std::string text = disassemble_instruction(sample.slots, 0, syntax);
      SCOPED_TRACE(text + " from" + hex(sample.slots));
      EXPECT_EQ(text.find(".raw"), std::string::npos);
      std::vector<Instruction> back;
      ASSERT_NO_THROW(back = assemble(text, syntax));
      EXPECT_EQ(back, sample.slots);
      EXPECT_EQ(assemble(text, AsmSyntax::Auto), sample.slots);
      const std::string listing =
          disassemble(sample.slots, {.syntax = syntax, .show_index = true, .show_raw = true});
      EXPECT_EQ(assemble(listing, syntax), sample.slots) << listing;
    }
  }
}

// Any bit pattern, valid or not, comes back exactly: invalid slots print as ".raw".
TEST(RoundTrip, ArbitrarySlotsRoundTripExactly) {
  std::mt19937_64 rng(2024);
  std::vector<uint8_t> opcodes;
  for (const Sample& sample : generated_samples())
    opcodes.push_back(sample.slots[0].opcode);
  const int32_t interesting[] = {0, 1, -1, 8, 16, 32, 64, 0xe1, 0xf1, INT32_MIN, INT32_MAX};
  for (int i = 0; i < 200000; ++i) {
    std::vector<Instruction> program = {Instruction::from_raw(rng()), Instruction::from_raw(rng())};
    if (i % 2 == 0) {  // near-valid: a real opcode with plausible fields
      program[0].opcode = opcodes[rng() % opcodes.size()];
      program[0].regs = static_cast<uint8_t>(rng() % 2 ? rng() & 0xaa : rng());
      if (rng() % 2) program[0].offset = static_cast<int16_t>(interesting[rng() % 11]);
      if (rng() % 2) program[0].imm = interesting[rng() % 11];
      if (rng() % 2) program[1] = make_insn(0, 0, 0, 0, static_cast<int32_t>(rng()));
    }
    for (AsmSyntax syntax : kSyntaxes) {
      // Listings with indices, jump destinations and raw bytes read back too.
      const bool listing = i % 4 < 2;
      const std::string text =
          disassemble(program, {.syntax = syntax, .show_index = listing, .show_raw = listing});
      std::vector<Instruction> back;
      try {
        back = assemble(text, syntax);
      } catch (const AsmError& e) {
        FAIL() << e.what() << " for '" << text << "' from" << hex(program);
      }
      ASSERT_EQ(back, program) << text << " from" << hex(program);
    }
  }
}

}  // namespace
}  // namespace nicsim::ebpf
