#pragma once
// x86-64 registers, operand widths, condition codes and memory operands, with the fixed
// assignment of eBPF registers to machine registers used by the translator.

#include <array>
#include <cstdint>

namespace nicsim::jit::x86 {

enum class Reg : uint8_t {
  rax,
  rcx,
  rdx,
  rbx,
  rsp,
  rbp,
  rsi,
  rdi,
  r8,
  r9,
  r10,
  r11,
  r12,
  r13,
  r14,
  r15,
};

constexpr uint8_t reg_code(Reg r) {
  return static_cast<uint8_t>(r);
}
constexpr uint8_t low3(Reg r) {
  return reg_code(r) & 7;
}
constexpr bool is_extended(Reg r) {
  return reg_code(r) >= 8;
}

// Operand size of an instruction.
enum class Width : uint8_t { W8 = 1, W16 = 2, W32 = 4, W64 = 8 };

constexpr Width width_of_bytes(int bytes) {
  return bytes == 1 ? Width::W8 : bytes == 2 ? Width::W16 : bytes == 4 ? Width::W32 : Width::W64;
}

// Condition codes (the low nibble of Jcc / SETcc / CMOVcc).
enum class Cond : uint8_t {
  O = 0x0,
  NO = 0x1,
  B = 0x2,
  AE = 0x3,
  E = 0x4,
  NE = 0x5,
  BE = 0x6,
  A = 0x7,
  S = 0x8,
  NS = 0x9,
  P = 0xa,
  NP = 0xb,
  L = 0xc,
  GE = 0xd,
  LE = 0xe,
  G = 0xf,
};

// [base + disp]: the only addressing form the translator needs.
struct Mem {
  Reg base;
  int32_t disp = 0;
};

// The eBPF register file in machine registers. r1..r5 are the first five System V argument
// registers and r0 the return register, so a helper call needs no shuffling; r6..r9 are
// callee-saved, as eBPF requires; r10 (the read-only frame pointer) is rbp.
constexpr std::array<Reg, 11> kEbpfRegisters = {
    Reg::rax, Reg::rdi, Reg::rsi, Reg::rdx, Reg::rcx, Reg::r8,
    Reg::rbx, Reg::r13, Reg::r14, Reg::r15, Reg::rbp,
};
constexpr Reg ebpf_reg(int index) {
  return kEbpfRegisters[static_cast<size_t>(index)];
}

// Registers the translator owns besides the eBPF ones: the run state pointer (callee-saved,
// so it survives helper calls) and three caller-saved scratch registers.
constexpr Reg kStateReg = Reg::r12;
constexpr Reg kScratch0 = Reg::r11;
constexpr Reg kScratch1 = Reg::r10;
constexpr Reg kScratch2 = Reg::r9;

}  // namespace nicsim::jit::x86
