#pragma once
// AArch64 general-purpose registers, operand sizes and condition codes, with the fixed
// assignment of eBPF registers to machine registers used by the translator.

#include <array>
#include <cstdint>

namespace nicsim::jit::a64 {

// Register number 31 is the zero register (xzr/wzr) in most operand positions and the stack
// pointer in others (base registers, ADD/SUB immediate); each encoder documents which.
enum class Reg : uint8_t {
  x0,
  x1,
  x2,
  x3,
  x4,
  x5,
  x6,
  x7,
  x8,
  x9,
  x10,
  x11,
  x12,
  x13,
  x14,
  x15,
  x16,
  x17,
  x18,
  x19,
  x20,
  x21,
  x22,
  x23,
  x24,
  x25,
  x26,
  x27,
  x28,
  x29,
  x30,
  zr = 31,
  sp = 31,
};

constexpr uint32_t reg_code(Reg r) {
  return static_cast<uint32_t>(r);
}

// The sf bit of data-processing instructions: W registers (32-bit, the upper half of the X
// register is zeroed on write) or X registers.
enum class Size : uint8_t { W32, X64 };

constexpr uint32_t sf(Size size) {
  return size == Size::X64 ? 1u : 0u;
}

// Condition codes (Arm ARM C1.2.4), as encoded in B.cond, CSEL and friends.
enum class Cond : uint8_t {
  EQ = 0x0,
  NE = 0x1,
  HS = 0x2,  // unsigned >=, carry set
  LO = 0x3,  // unsigned <, carry clear
  MI = 0x4,
  PL = 0x5,
  VS = 0x6,
  VC = 0x7,
  HI = 0x8,  // unsigned >
  LS = 0x9,  // unsigned <=
  GE = 0xa,
  LT = 0xb,
  GT = 0xc,
  LE = 0xd,
  AL = 0xe,
};

constexpr Cond invert(Cond c) {
  return static_cast<Cond>(static_cast<uint8_t>(c) ^ 1);
}

// The eBPF register file in machine registers, as the kernel's arm64 JIT lays it out: r1..r5
// are the first five AAPCS64 argument registers, so a helper call needs no shuffling; r0 is
// x7 (x0 is r1); r6..r9 and r10 (the read-only frame pointer) are callee-saved.
constexpr std::array<Reg, 11> kEbpfRegisters = {
    Reg::x7,  Reg::x0,  Reg::x1,  Reg::x2,  Reg::x3,  Reg::x4,
    Reg::x19, Reg::x20, Reg::x21, Reg::x22, Reg::x25,
};
constexpr Reg ebpf_reg(int index) {
  return kEbpfRegisters[static_cast<size_t>(index)];
}

// Registers the translator owns besides the eBPF ones: the run state pointer (callee-saved,
// so it survives C calls), scratch registers (caller-saved temporaries; x9 also carries
// addresses and values between instructions and stubs), x16 for calls to the host and the
// instruction budget.
constexpr Reg kStateReg = Reg::x28;
constexpr Reg kScratch0 = Reg::x9;
constexpr Reg kScratch1 = Reg::x10;
constexpr Reg kScratch2 = Reg::x11;
constexpr Reg kScratch3 = Reg::x12;
constexpr Reg kCallReg = Reg::x16;
// The instruction budget, kept in a callee-saved register while generated code runs (blocks
// charge it without touching memory); NativeRunState::budget_left holds it across C calls.
constexpr Reg kBudgetReg = Reg::x26;
constexpr Reg kLinkReg = Reg::x30;

}  // namespace nicsim::jit::a64
