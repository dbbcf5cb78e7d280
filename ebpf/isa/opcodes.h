#pragma once
// eBPF opcode fields as defined by RFC 9669 ("BPF Instruction Set Architecture").

#include <cstdint>

namespace nicsim::ebpf {

// Instruction classes (3 low bits of the opcode).
inline constexpr uint8_t kClassLd = 0x00;
inline constexpr uint8_t kClassLdx = 0x01;
inline constexpr uint8_t kClassSt = 0x02;
inline constexpr uint8_t kClassStx = 0x03;
inline constexpr uint8_t kClassAlu = 0x04;
inline constexpr uint8_t kClassJmp = 0x05;
inline constexpr uint8_t kClassJmp32 = 0x06;
inline constexpr uint8_t kClassAlu64 = 0x07;

// Source operand bit for ALU and JMP classes; for END it selects big endian.
inline constexpr uint8_t kSrcK = 0x00;
inline constexpr uint8_t kSrcX = 0x08;

// ALU operations (4 high bits of the opcode).
inline constexpr uint8_t kAluAdd = 0x00;
inline constexpr uint8_t kAluSub = 0x10;
inline constexpr uint8_t kAluMul = 0x20;
inline constexpr uint8_t kAluDiv = 0x30;
inline constexpr uint8_t kAluOr = 0x40;
inline constexpr uint8_t kAluAnd = 0x50;
inline constexpr uint8_t kAluLsh = 0x60;
inline constexpr uint8_t kAluRsh = 0x70;
inline constexpr uint8_t kAluNeg = 0x80;
inline constexpr uint8_t kAluMod = 0x90;
inline constexpr uint8_t kAluXor = 0xa0;
inline constexpr uint8_t kAluMov = 0xb0;
inline constexpr uint8_t kAluArsh = 0xc0;
inline constexpr uint8_t kAluEnd = 0xd0;

// Jump operations (4 high bits of the opcode).
inline constexpr uint8_t kJmpJa = 0x00;
inline constexpr uint8_t kJmpJeq = 0x10;
inline constexpr uint8_t kJmpJgt = 0x20;
inline constexpr uint8_t kJmpJge = 0x30;
inline constexpr uint8_t kJmpJset = 0x40;
inline constexpr uint8_t kJmpJne = 0x50;
inline constexpr uint8_t kJmpJsgt = 0x60;
inline constexpr uint8_t kJmpJsge = 0x70;
inline constexpr uint8_t kJmpCall = 0x80;
inline constexpr uint8_t kJmpExit = 0x90;
inline constexpr uint8_t kJmpJlt = 0xa0;
inline constexpr uint8_t kJmpJle = 0xb0;
inline constexpr uint8_t kJmpJslt = 0xc0;
inline constexpr uint8_t kJmpJsle = 0xd0;

// Access size for load/store classes.
inline constexpr uint8_t kSizeW = 0x00;
inline constexpr uint8_t kSizeH = 0x08;
inline constexpr uint8_t kSizeB = 0x10;
inline constexpr uint8_t kSizeDw = 0x18;

// Addressing mode for load/store classes.
inline constexpr uint8_t kModeImm = 0x00;
inline constexpr uint8_t kModeAbs = 0x20;
inline constexpr uint8_t kModeInd = 0x40;
inline constexpr uint8_t kModeMem = 0x60;
inline constexpr uint8_t kModeMemsx = 0x80;
inline constexpr uint8_t kModeAtomic = 0xc0;

// Atomic operations, held in the imm field of STX|ATOMIC.
inline constexpr int32_t kAtomicAdd = 0x00;
inline constexpr int32_t kAtomicOr = 0x40;
inline constexpr int32_t kAtomicAnd = 0x50;
inline constexpr int32_t kAtomicXor = 0xa0;
inline constexpr int32_t kAtomicFetch = 0x01;
inline constexpr int32_t kAtomicXchg = 0xe0 | kAtomicFetch;
inline constexpr int32_t kAtomicCmpxchg = 0xf0 | kAtomicFetch;

// src field of the lddw instruction (RFC 9669 section 5.4).
inline constexpr uint8_t kLddwImm64 = 0;
inline constexpr uint8_t kLddwMapFd = 1;      // imm: map (index into the object's map list in nicsim)
inline constexpr uint8_t kLddwMapValue = 2;   // imm: map, next imm: offset into the value
inline constexpr uint8_t kLddwBtfId = 3;      // imm: BTF id of a kernel variable
inline constexpr uint8_t kLddwFunc = 4;       // imm: instruction offset of a function (for callx / callbacks)
inline constexpr uint8_t kLddwMapIdx = 5;     // as kLddwMapFd, index form
inline constexpr uint8_t kLddwMapIdxValue = 6;

// src field of the call instruction.
inline constexpr uint8_t kCallHelper = 0;
inline constexpr uint8_t kCallLocal = 1;  // bpf-to-bpf call, imm is pc-relative
inline constexpr uint8_t kCallKfunc = 2;  // helper identified by BTF id

inline constexpr uint8_t kClassMask = 0x07;
constexpr uint8_t kSourceMask = 0x08;
constexpr uint8_t kOpMask = 0xf0;
constexpr uint8_t kSizeMask = 0x18;
constexpr uint8_t kModeMask = 0xe0;

constexpr int kNumRegisters = 11;  // r0..r10
constexpr int kFrameRegister = 10;
constexpr int kStackSize = 512;
constexpr int kMaxCallDepth = 8;
constexpr int kMaxTailCalls = 33;

}  // namespace nicsim::ebpf
