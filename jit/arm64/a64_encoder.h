#pragma once
// Typed AArch64 instruction encoders, one per instruction class of the Arm ARM (C4.1), named
// after the instruction, with enums for opcodes and condition codes. Each writes exactly one
// 32-bit instruction into a CodeBuffer, except the conditional branches, which the relaxer
// may lengthen to an inverted branch over a B. Nothing here knows about eBPF.
//
// Branch targets are jit/common Labels; their displacements live inside the instruction word
// (imm26, imm19, ADR's split imm21, ADRP's page delta), written by CodeBuffer's word fix-ups
// when the code is linked at its address.

#include <cstdint>
#include <optional>
#include <vector>

#include "jit/arm64/a64_registers.h"
#include "jit/common/branch_relaxation.h"
#include "jit/common/code_buffer.h"

namespace nicsim::jit::a64 {

enum class AddSubOp : uint8_t { Add = 0, Sub = 1 };
enum class LogicalOp : uint8_t { And = 0, Orr = 1, Eor = 2, Ands = 3 };
enum class Shift : uint8_t { Lsl = 0, Lsr = 1, Asr = 2, Ror = 3 };
enum class MoveWideOp : uint8_t { Movn = 0, Movz = 2, Movk = 3 };
enum class BitfieldOp : uint8_t { Sbfm = 0, Bfm = 1, Ubfm = 2 };
// Data-processing (2 source): the opcode field.
enum class TwoSourceOp : uint8_t {
  Udiv = 0b000010,
  Sdiv = 0b000011,
  Lslv = 0b001000,
  Lsrv = 0b001001,
  Asrv = 0b001010,
  Rorv = 0b001011,
};
// Data-processing (1 source): the opcode field. Rev32 exists for X registers only; on W
// registers opcode 2 is REV.
enum class OneSourceOp : uint8_t { Rbit = 0, Rev16 = 1, Rev32 = 2, Rev64 = 3 };
enum class ThreeSourceOp : uint8_t { Madd = 0, Msub = 1 };
enum class CondSelectOp : uint8_t { Csel, Csinc, Csinv, Csneg };

// Loads and stores of one register: access size and what the load does with the value.
enum class MemOp : uint8_t {
  Strb,
  Strh,
  StrW,
  StrX,
  Ldrb,  // zero-extends into W (and so X)
  Ldrh,
  LdrW,
  LdrX,
  LdrsbX,  // sign-extends into X
  LdrshX,
  LdrswX,
};
int access_size(MemOp op);  // bytes
enum class PairOp : uint8_t { Stp, Ldp };
enum class Index : uint8_t { Offset, PreIndex, PostIndex };

// The N:immr:imms fields of a logical (bitmask) immediate, or nullopt when `value` (of the
// given size) is not a rotated, replicated run of ones.
std::optional<uint32_t> encode_bitmask_immediate(uint64_t value, Size size);

// B.cond, CBZ and CBNZ reach +-1 MiB from their own address; a branch beyond becomes the
// inverted branch over a B (+-128 MiB). Long ones are rare: the first pass in which every short
// one reaches is final.
inline constexpr RelaxationPolicy kA64Relaxation{
    ShortBranchReach{-(int64_t{1} << 20), (int64_t{1} << 20) - 4,
                     ShortBranchReach::Origin::BranchStart},
    Convergence::FirstFit};

class A64Encoder {
 public:
  // Without a relaxer every conditional branch is short (linking throws if one cannot reach).
  explicit A64Encoder(CodeBuffer& code, BranchRelaxer* relaxer = nullptr)
      : code_(code), relaxer_(relaxer) {}

  CodeBuffer& code() { return code_; }

  // --- data processing, immediate ---
  // ADD/ADDS/SUB/SUBS Rd, Rn, #imm12{, LSL #12}. Rd (without flags) and Rn may be sp.
  void emit_addsub_immediate(AddSubOp op, bool set_flags, Size size, Reg rd, Reg rn, uint32_t imm12,
                             bool shift12 = false);
  // AND/ORR/EOR/ANDS Rd, Rn, #bitmask; throws JitError when not encodable. Rd of
  // AND/ORR/EOR may be sp, Rn is the zero register when 31.
  void emit_logical_immediate(LogicalOp op, Size size, Reg rd, Reg rn, uint64_t value);
  // MOVN/MOVZ/MOVK Rd, #imm16, LSL #shift (shift 0/16, and 32/48 for X).
  void emit_move_wide(MoveWideOp op, Size size, Reg rd, uint16_t imm16, int shift);
  void emit_movz(Size size, Reg rd, uint16_t imm16, int shift = 0) {
    emit_move_wide(MoveWideOp::Movz, size, rd, imm16, shift);
  }
  void emit_movn(Size size, Reg rd, uint16_t imm16, int shift = 0) {
    emit_move_wide(MoveWideOp::Movn, size, rd, imm16, shift);
  }
  void emit_movk(Size size, Reg rd, uint16_t imm16, int shift = 0) {
    emit_move_wide(MoveWideOp::Movk, size, rd, imm16, shift);
  }
  // SBFM/BFM/UBFM Rd, Rn, #immr, #imms (the aliases LSL/LSR/ASR/SXTB/UXTH/... by immediate).
  void emit_bitfield(BitfieldOp op, Size size, Reg rd, Reg rn, uint32_t immr, uint32_t imms);
  // ADR Rd, label (within +-1 MiB); ADRP Rd, label's 4 KiB page (the code must be placed at a
  // page-aligned address); ADD Rd, Rn, #:lo12:label completes an ADRP.
  void emit_adr(Reg rd, Label target);
  void emit_adrp(Reg rd, Label target);
  void emit_add_lo12(Reg rd, Reg rn, Label target);

  // --- data processing, register (31 is the zero register throughout) ---
  void emit_addsub_shifted_register(AddSubOp op, bool set_flags, Size size, Reg rd, Reg rn, Reg rm,
                                    Shift shift = Shift::Lsl, uint32_t amount = 0);
  // AND/ORR/EOR/ANDS, or with `invert` BIC/ORN/EON/BICS.
  void emit_logical_shifted_register(LogicalOp op, bool invert, Size size, Reg rd, Reg rn, Reg rm,
                                     Shift shift = Shift::Lsl, uint32_t amount = 0);
  void emit_data_processing_2source(TwoSourceOp op, Size size, Reg rd, Reg rn, Reg rm);
  void emit_data_processing_1source(OneSourceOp op, Size size, Reg rd, Reg rn);
  void emit_data_processing_3source(ThreeSourceOp op, Size size, Reg rd, Reg rn, Reg rm, Reg ra);
  void emit_conditional_select(CondSelectOp op, Size size, Reg rd, Reg rn, Reg rm, Cond cond);

  // --- loads and stores (base register 31 is sp) ---
  // LDR/STR Rt, [Rn, #offset]: offset a non-negative multiple of the access size, below
  // 4096 times it.
  void emit_load_store_unsigned_offset(MemOp op, Reg rt, Reg rn, uint32_t offset);
  // LDUR/STUR Rt, [Rn, #offset], offset in [-256, 255].
  void emit_load_store_unscaled(MemOp op, Reg rt, Reg rn, int32_t offset);
  // LDR/STR Rt, [Rn, #offset]! (pre-index) or [Rn], #offset (post-index), offset in [-256, 255].
  void emit_load_store_immediate_indexed(MemOp op, Index index, Reg rt, Reg rn, int32_t offset);
  // LDR/STR Rt, [Rn, Rm] (64-bit index register, unshifted).
  void emit_load_store_register_offset(MemOp op, Reg rt, Reg rn, Reg rm);
  // LDP/STP of X registers: offset a multiple of 8 in [-512, 504].
  void emit_load_store_pair(PairOp op, Index index, Reg rt1, Reg rt2, Reg rn, int32_t offset);
  // Exclusive pairs (ARMv8.0, every AArch64 core): LDAXR Rt, [Rn] and STLXR Ws, Rt, [Rn]
  // (Ws = 0 when the store succeeded).
  void emit_ldaxr(Size size, Reg rt, Reg rn);
  void emit_stlxr(Size size, Reg rs, Reg rt, Reg rn);
  void emit_clrex();
  void emit_dmb_ish();

  // --- branches ---
  void emit_b(Label target);
  void emit_bl(Label target);
  // B.cond; when the relaxer says the target is out of the +-1 MiB range: B.!cond over a B.
  void emit_b_cond(Cond cond, Label target);
  // CBZ/CBNZ Rt, label (relaxed like B.cond).
  void emit_cbz(Size size, Reg rt, Label target) { emit_compare_branch(false, size, rt, target); }
  void emit_cbnz(Size size, Reg rt, Label target) { emit_compare_branch(true, size, rt, target); }
  void emit_br(Reg rn);
  void emit_blr(Reg rn);
  void emit_ret(Reg rn = Reg::x30);
  void emit_brk(uint16_t imm16);
  void emit_nop();

  // --- composed forms ---
  // MOV Rd, #value in the fewest instructions: MOVZ or MOVN alone, ORR with a bitmask, else
  // MOVZ/MOVN then MOVKs for the halfwords that differ.
  void emit_mov_constant(Size size, Reg rd, uint64_t value);
  // MOV Rd, Rm (ORR Rd, zr, Rm; W form zero-extends).
  void emit_mov_register(Size size, Reg rd, Reg rm) {
    emit_logical_shifted_register(LogicalOp::Orr, false, size, rd, Reg::zr, rm);
  }
  // MOV between sp and a register (ADD #0).
  void emit_mov_sp(Reg rd, Reg rn) {
    emit_addsub_immediate(AddSubOp::Add, false, Size::X64, rd, rn, 0);
  }

 private:
  void put(uint32_t word) { code_.put32(word); }
  // The instruction word just written refers to `target` through `field`.
  void refer(WordField field, Label target);
  bool use_short(Label target);
  void emit_compare_branch(bool nonzero, Size size, Reg rt, Label target);

  CodeBuffer& code_;
  BranchRelaxer* relaxer_;
};

}  // namespace nicsim::jit::a64
