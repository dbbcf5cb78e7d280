#pragma once
// The NIC core's opcode byte and its sub-fields (docs/nic-isa.md section 4). The opcode byte is
// split into blocks by its top bits; inside a block, sub-fields select the operation, the
// operand kind, the access size.

#include <cstdint>

namespace nicsim::firmware {

// Block of an opcode byte, from o[7:5] (ALU64 and BR span two values of o[7:5]).
enum class Block : uint8_t { Misc, Store, Alu32, Load, Alu64, Branch };

constexpr Block block_of(uint8_t opcode) {
  switch (opcode >> 5) {
    case 0:
      return Block::Misc;
    case 1:
      return Block::Store;
    case 2:
      return Block::Alu32;
    case 3:
      return Block::Load;
    case 4:
    case 5:
      return Block::Alu64;
    default:
      return Block::Branch;
  }
}

constexpr uint8_t kBlockMiscBase = 0x00;
constexpr uint8_t kBlockStoreBase = 0x20;
constexpr uint8_t kBlockAlu32Base = 0x40;
constexpr uint8_t kBlockLoadBase = 0x60;
constexpr uint8_t kBlockAlu64Base = 0x80;
constexpr uint8_t kBlockBranchBase = 0xc0;

enum class AluFunc : uint8_t {
  Add = 0,
  Sub = 1,
  Mul = 2,
  Div = 3,
  Sdiv = 4,
  Mod = 5,
  Smod = 6,
  Or = 7,
  And = 8,
  Xor = 9,
  Lsh = 10,
  Rsh = 11,
  Arsh = 12,
  Mov = 13,
  Rsub = 14,
  Ext = 15,
};

// Selector of an ALU or branch operation's operand B.
enum class OperandB : uint8_t { Reg = 0, Imm = 1, Pool = 2 };

// Conversions of the `ext` function, selected by imm32.
enum class ExtKind : uint8_t {
  Bswap16 = 0,
  Bswap32 = 1,
  Bswap64 = 2,
  Sext8 = 3,
  Sext16 = 4,
  Sext32 = 5,
};
constexpr int kNumExtKinds = 6;

// Load addressing mode (o[0] of a load).
enum class LoadMode : uint8_t { BaseIndex = 0, BaseImm = 1 };  // ra+rb+x12 / ra+imm32

// Value of a store (o[1:0]).
enum class StoreValue : uint8_t { Reg = 0, Imm = 1, Pool = 2 };

enum class Cond : uint8_t {
  Always = 0,
  Eq = 1,
  Ne = 2,
  Gt = 3,
  Ge = 4,
  Lt = 5,
  Le = 6,
  Sgt = 7,
  Sge = 8,
  Slt = 9,
  Sle = 10,
  Set = 11,
  Nset = 12,
};
constexpr int kNumConds = 13;

// The condition that holds exactly when `c` does not (Always has none).
constexpr Cond invert(Cond c) {
  switch (c) {
    case Cond::Eq:
      return Cond::Ne;
    case Cond::Ne:
      return Cond::Eq;
    case Cond::Gt:
      return Cond::Le;
    case Cond::Ge:
      return Cond::Lt;
    case Cond::Lt:
      return Cond::Ge;
    case Cond::Le:
      return Cond::Gt;
    case Cond::Sgt:
      return Cond::Sle;
    case Cond::Sge:
      return Cond::Slt;
    case Cond::Slt:
      return Cond::Sge;
    case Cond::Sle:
      return Cond::Sgt;
    case Cond::Set:
      return Cond::Nset;
    case Cond::Nset:
      return Cond::Set;
    case Cond::Always:
      return Cond::Always;
  }
  return c;
}

// The condition with its operands swapped (X c Y == Y swap(c) X).
constexpr Cond swap_operands(Cond c) {
  switch (c) {
    case Cond::Gt:
      return Cond::Lt;
    case Cond::Ge:
      return Cond::Le;
    case Cond::Lt:
      return Cond::Gt;
    case Cond::Le:
      return Cond::Ge;
    case Cond::Sgt:
      return Cond::Slt;
    case Cond::Sge:
      return Cond::Sle;
    case Cond::Slt:
      return Cond::Sgt;
    case Cond::Sle:
      return Cond::Sge;
    default:
      return c;
  }
}

// MISC block operations (o[4:0]).
enum class MiscOp : uint8_t {
  Nop = 0x00,
  Movs = 0x01,
  ExitImm = 0x02,
  ExitReg = 0x03,
  HCall = 0x04,
  CallF = 0x05,
  Ret = 0x06,
  LoadNoFault = 0x07,  // a load that yields 0 instead of faulting (speculation)
  Xchg = 0x08,
  Xchg32 = 0x09,
  Cmpxchg = 0x0a,
  Cmpxchg32 = 0x0b,
};
constexpr uint8_t kMiscAtomicBase = 0x10;  // 0x10..0x1f: o[3] 32-bit, o[2] fetch, o[1:0] op

enum class AtomicOp : uint8_t { Add = 0, Or = 1, And = 2, Xor = 3 };

// Special registers readable with `movs`.
enum class SpecialReg : uint8_t {
  PktData = 0,
  PktEnd = 1,
  PktMeta = 2,
  PktLen = 3,
  IngressIfindex = 4,
  RxQueueIndex = 5,
  EgressIfindex = 6,
  CpuId = 7,
  TimeNs = 8,
  ContextId = 9,
  Cycle = 10,
};
constexpr int kNumSpecialRegs = 11;

constexpr int kNumRegisters = 11;  // r0..r10, the eBPF registers
constexpr int kFrameRegister = 10;
// Read-only operand registers holding the packet pointers (docs/nic-isa.md section 2): any
// source field may name them; the packet-adjust units update them.
constexpr int kPacketDataRegister = 11;
constexpr int kPacketEndRegister = 12;
constexpr int kPacketMetaRegister = 13;
constexpr int kNumOperandRegisters = 14;  // r0..r13 may be read
constexpr int kMaxLanes = 8;
constexpr int kMaxMemoryPorts = 8;
// Branch targets at or above this value are exit vectors: 0xff8 + action.
constexpr uint16_t kExitVectorBase = 0xff8;
constexpr uint16_t kMaxBundles = kExitVectorBase;
constexpr int kNumExitVectors = 8;
constexpr int32_t kX12Min = -2048;
constexpr int32_t kX12Max = 2047;

}  // namespace nicsim::firmware
