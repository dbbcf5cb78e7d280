#pragma once
// One decoded slot of a bundle (docs/nic-isa.md section 4) and its 64-bit encoding. This is
// the single definition of the encoding: the compiler builds Slots and encodes them, the model
// and the image reader decode them. Fields an operation does not use stay at their defaults, so
// that two Slots compare equal exactly when their encodings do.

#include <cstdint>
#include <string>

#include "firmware/isa/opcodes.h"

namespace nicsim::firmware {

enum class OpClass : uint8_t {
  Nop,
  Movs,
  ExitImm,
  ExitReg,
  HCall,
  CallF,
  Ret,
  Xchg,
  Cmpxchg,
  Atomic,
  Store,
  Alu,
  Load,
  Branch,
};

struct Slot {
  OpClass op = OpClass::Nop;
  bool w32 = false;                          // Alu, Branch, Xchg, Cmpxchg, Atomic
  AluFunc func = AluFunc::Add;               // Alu
  OperandB b = OperandB::Reg;                // Alu, Branch
  uint8_t size = 0;                          // Load, Store: 1..8 bytes
  bool sign_extend = false;                  // Load
  bool no_fault = false;                     // Load: MISC ldnf (BaseImm, zero-extended)
  LoadMode load_mode = LoadMode::BaseIndex;  // Load
  StoreValue store_value = StoreValue::Reg;  // Store
  Cond cond = Cond::Always;                  // Branch
  AtomicOp atomic_op = AtomicOp::Add;        // Atomic
  bool fetch = false;                        // Atomic
  uint8_t rd = 0;
  uint8_t ra = 0;
  uint8_t rb = 0;
  uint16_t x12 = 0;  // raw 12 bits: a signed offset or an unsigned target
  int32_t imm = 0;

  // x12 read as a signed memory offset.
  constexpr int32_t offset12() const { return x12 >= 0x800 ? int32_t(x12) - 0x1000 : x12; }
  constexpr uint16_t target() const { return x12; }
  constexpr bool targets_exit_vector() const { return x12 >= kExitVectorBase; }

  friend constexpr bool operator==(const Slot&, const Slot&) = default;
};

// --- construction (the compiler's and the assembler's vocabulary) ---
Slot make_nop();
Slot make_alu(AluFunc func, bool w32, uint8_t rd, uint8_t ra, uint8_t rb);       // B = rb
Slot make_alu_imm(AluFunc func, bool w32, uint8_t rd, uint8_t ra, int32_t imm);  // B = sext(imm)
Slot make_alu_pool(AluFunc func, uint8_t rd, uint8_t ra, uint32_t pool_index);   // ALU64 only
Slot make_mov(bool w32, uint8_t rd, uint8_t rb);
Slot make_mov_imm(bool w32, uint8_t rd, int32_t imm);
Slot make_ext(ExtKind kind, bool w32, uint8_t rd, uint8_t ra);
Slot make_load(uint8_t size, bool sign_extend, uint8_t rd, uint8_t ra, int32_t offset);
// A load that yields 0 where a load would fault (for loads scheduled above their guard).
Slot make_load_no_fault(uint8_t size, uint8_t rd, uint8_t ra, int32_t offset);
Slot make_load_indexed(uint8_t size, bool sign_extend, uint8_t rd, uint8_t ra, uint8_t rb,
                       int32_t offset12);
Slot make_store(uint8_t size, uint8_t ra, int32_t offset, uint8_t rb);
Slot make_store_imm(uint8_t size, uint8_t ra, int32_t offset12, int32_t value);
Slot make_store_pool(uint8_t size, uint8_t ra, int32_t offset12, uint32_t pool_index);
// if (ra + addend) cond rb goto target
Slot make_branch(Cond cond, bool w32, uint8_t ra, uint8_t rb, uint16_t target, int32_t addend = 0);
// if ra cond sext(imm) goto target
Slot make_branch_imm(Cond cond, bool w32, uint8_t ra, int32_t imm, uint16_t target);
Slot make_jump(uint16_t target);
Slot make_movs(uint8_t rd, SpecialReg reg);
Slot make_exit_imm(int32_t value);
Slot make_exit_reg(uint8_t ra);
Slot make_hcall(int32_t helper_id);
Slot make_callf(uint16_t target);
Slot make_ret();
Slot make_atomic(AtomicOp op, bool w32, bool fetch, uint8_t rd, uint8_t ra, int32_t offset,
                 uint8_t rb);
Slot make_xchg(bool w32, uint8_t rd, uint8_t ra, int32_t offset, uint8_t rb);
Slot make_cmpxchg(bool w32, uint8_t rd, uint8_t ra, int32_t offset, uint8_t rb);

// --- encoding ---
// Empty when `slot` is a valid operation, else the reason ("rb must be 0 for ...").
std::string check_slot(const Slot& slot);
// Throws nicsim::Error (with check_slot's reason) for an invalid slot.
uint64_t encode_slot(const Slot& slot);
// Decodes `word` into `*slot`; returns an empty string, or the reason the word is invalid.
std::string decode_slot(uint64_t word, Slot* slot);

// --- operand usage, shared by the compiler's scheduler and the model's scoreboard ---
// Bit r set when the operation reads / writes register r.
uint16_t registers_read(const Slot& slot);
uint16_t registers_written(const Slot& slot);
bool is_memory_op(const Slot& slot);   // load, store, atomics
bool is_control_op(const Slot& slot);  // branch, callf, ret, exit
bool is_unit_op(const Slot& slot);     // hcall, callf, ret, exit
bool is_exit_op(const Slot& slot);     // exit imm/reg
// A control operation that always fires (ja, callf, ret, exit).
bool is_unconditional_control(const Slot& slot);
bool uses_multiplier(const Slot& slot);
bool uses_divider(const Slot& slot);
// Reads the constant pool (imm32 is a pool index).
bool uses_pool(const Slot& slot);

}  // namespace nicsim::firmware
