#pragma once
// One 64-bit eBPF instruction slot in its wire layout (RFC 9669 section 3), with field
// accessors. lddw occupies two consecutive slots; the second carries the high 32 bits in imm.

#include <cstdint>
#include <bit>

#include "ebpf/isa/opcodes.h"

namespace nicsim::ebpf {

struct Instruction {
  uint8_t opcode = 0;
  uint8_t regs = 0;  // low nibble: dst, high nibble: src (little-endian layout)
  int16_t offset = 0;
  int32_t imm = 0;

  constexpr uint8_t dst() const { return regs & 0x0f; }
  constexpr uint8_t src() const { return regs >> 4; }
  constexpr void set_dst(uint8_t r) { regs = static_cast<uint8_t>((regs & 0xf0) | (r & 0x0f)); }
  constexpr void set_src(uint8_t r) {
    regs = static_cast<uint8_t>((regs & 0x0f) | ((r & 0x0f) << 4));
  }

  constexpr uint8_t cls() const { return opcode & kClassMask; }
  constexpr uint8_t source() const { return opcode & kSourceMask; }
  constexpr uint8_t op() const { return opcode & kOpMask; }
  constexpr uint8_t size() const { return opcode & kSizeMask; }
  constexpr uint8_t mode() const { return opcode & kModeMask; }

  constexpr bool is_alu() const { return cls() == kClassAlu || cls() == kClassAlu64; }
  constexpr bool is_jmp() const { return cls() == kClassJmp || cls() == kClassJmp32; }
  constexpr bool is_lddw() const { return opcode == (kClassLd | kModeImm | kSizeDw); }
  constexpr bool is_exit() const { return opcode == (kClassJmp | kJmpExit); }
  constexpr bool is_call() const { return opcode == (kClassJmp | kJmpCall); }
  constexpr bool is_callx() const { return opcode == (kClassJmp | kJmpCall | kSrcX); }
  constexpr bool is_helper_call() const { return is_call() && src() == kCallHelper; }
  constexpr bool is_local_call() const { return is_call() && src() == kCallLocal; }
  // A conditional or unconditional jump within the program (not call/exit).
  constexpr bool is_branch() const {
    return is_jmp() && op() != kJmpCall && op() != kJmpExit;
  }
  constexpr bool is_unconditional_jump() const { return is_jmp() && op() == kJmpJa; }
  // gotol / ja32: JMP32|JA takes its 32-bit offset from imm.
  constexpr int64_t branch_offset() const {
    return opcode == (kClassJmp32 | kJmpJa) ? imm : offset;
  }

  // Raw 64-bit value as the kernel and bpf_conformance "-- raw" sections print it.
  uint64_t raw() const {
    return std::bit_cast<uint64_t>(*this);
  }
  static Instruction from_raw(uint64_t v) {
    return std::bit_cast<Instruction>(v);
  }

  friend constexpr bool operator==(const Instruction&, const Instruction&) = default;
};
static_assert(sizeof(Instruction) == 8, "eBPF instructions are 8 bytes");

// Size in bytes of a load/store with the given size field.
constexpr int access_bytes(uint8_t size_field) {
  switch (size_field) {
    case kSizeB: return 1;
    case kSizeH: return 2;
    case kSizeW: return 4;
    default: return 8;
  }
}

// Convenience constructors for tests and code generators.
constexpr Instruction make_insn(uint8_t opcode, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  Instruction insn;
  insn.opcode = opcode;
  insn.set_dst(dst);
  insn.set_src(src);
  insn.offset = off;
  insn.imm = imm;
  return insn;
}

}  // namespace nicsim::ebpf
