#pragma once
// The model both syntaxes share: one eBPF instruction with every field the text shows made
// explicit, and every other field known to be zero. Parsers produce an Operation and encode()
// lays it out in slots; decode() recovers it from slots and the printers turn it into text.
// decode() falls back to RawSlot for any encoding it cannot express exactly, which is what
// makes assemble(disassemble(x)) == x hold for every input, valid or not.

#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "ebpf/isa/instruction.h"

namespace nicsim::ebpf::assembly {

// A register (is_register) or a 32-bit immediate.
struct Operand {
  bool is_register = false;
  uint8_t reg = 0;
  int32_t imm = 0;

  static Operand from_register(uint8_t r) { return {true, r, 0}; }
  static Operand from_immediate(int32_t v) { return {false, 0, v}; }
};

// A jump or call destination: a label until the assembler resolves it, then an offset
// relative to the next instruction.
struct Target {
  int64_t offset = 0;
  std::string label;
};

// add/sub/mul/div/or/and/lsh/rsh/mod/xor/mov/arsh; is_signed selects sdiv/smod.
struct AluOp {
  bool wide = true;  // ALU64 (r registers) or ALU (w registers)
  uint8_t op = kAluAdd;
  uint8_t dst = 0;
  Operand src;
  bool is_signed = false;
};

struct MoveSignExtend {
  bool wide = true;
  uint8_t dst = 0;
  uint8_t src = 0;
  uint8_t bits = 8;  // 8, 16 or 32 (32 only when wide)
};

struct Negate {
  bool wide = true;
  uint8_t dst = 0;
};

enum class SwapKind { ToBigEndian, ToLittleEndian, Unconditional };

struct ByteSwap {
  SwapKind kind = SwapKind::Unconditional;
  uint8_t dst = 0;
  int32_t bits = 64;
};

struct Load {
  uint8_t size = kSizeDw;
  bool sign_extend = false;
  uint8_t dst = 0;
  uint8_t base = 0;
  int16_t offset = 0;
};

// STX (value is a register) or ST (value is an immediate).
struct Store {
  uint8_t size = kSizeDw;
  uint8_t base = 0;
  int16_t offset = 0;
  Operand value;
};

struct Atomic {
  bool wide = true;
  int32_t op = kAtomicAdd;  // the imm field: kAtomicAdd, ... | kAtomicFetch, kAtomicXchg, ...
  uint8_t base = 0;
  int16_t offset = 0;
  uint8_t src = 0;
};

// lddw with any source but kLddwFunc: imm and next_imm are the two halves of the 64-bit
// constant, or map / BTF id and value offset for the pseudo sources.
struct LoadImm64 {
  uint8_t dst = 0;
  uint8_t pseudo = kLddwImm64;
  int32_t imm = 0;
  int32_t next_imm = 0;

  uint64_t value() const {
    return (static_cast<uint64_t>(static_cast<uint32_t>(next_imm)) << 32) |
           static_cast<uint32_t>(imm);
  }
};

// lddw with kLddwFunc: the address of the function at a relative instruction offset.
struct LoadFuncAddress {
  uint8_t dst = 0;
  Target target;
};

// LD_ABS / LD_IND: r0 = packet[imm] or packet[src + imm].
struct LegacyLoad {
  uint8_t size = kSizeW;
  bool indirect = false;
  uint8_t src = 0;
  int32_t imm = 0;
};

struct CondJump {
  bool wide = true;  // JMP (r registers) or JMP32 (w registers)
  uint8_t op = kJmpJeq;
  uint8_t dst = 0;
  Operand src;
  Target target;
};

// goto (JMP|JA, 16-bit offset) or gotol (JMP32|JA, 32-bit offset in imm).
struct Goto {
  bool long_form = false;
  Target target;
};

struct CallHelper {
  int32_t id = 0;
};
struct CallKfunc {
  int32_t btf_id = 0;
};
struct CallLocal {
  Target target;
};
struct CallIndirect {
  uint8_t reg = 0;
};
struct Exit {};
// One slot written as its raw 64-bit value, for encodings no mnemonic expresses.
struct RawSlot {
  uint64_t value = 0;
};

using Operation = std::variant<AluOp, MoveSignExtend, Negate, ByteSwap, Load, Store, Atomic,
                               LoadImm64, LoadFuncAddress, LegacyLoad, CondJump, Goto, CallHelper,
                               CallKfunc, CallLocal, CallIndirect, Exit, RawSlot>;

// 2 for lddw forms, 1 for everything else.
size_t slot_count(const Operation& op);

// The destination of a jump, call or function address; nullptr for other operations.
Target* target_of(Operation& op);
const Target* target_of(const Operation& op);
// Width in bits of the field holding the target offset (16 or 32).
int target_bits(const Operation& op);

// Appends the slots of `op`; its target must already be resolved to an offset that fits.
void encode(const Operation& op, std::vector<Instruction>& out);

// The operation at insns[index] (two slots for lddw); RawSlot if no form expresses it exactly.
Operation decode(std::span<const Instruction> insns, size_t index);

}  // namespace nicsim::ebpf::assembly
