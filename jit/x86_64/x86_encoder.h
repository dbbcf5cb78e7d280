#pragma once
// Typed x86-64 instruction encoders, one per instruction form, named after the instruction.
// Each writes exactly one machine instruction into a CodeBuffer; branches to labels ask the
// BranchRelaxer (when given) whether their short form fits. Nothing here knows about eBPF.

#include <cstdint>

#include "jit/common/branch_relaxation.h"
#include "jit/common/code_buffer.h"
#include "jit/x86_64/x86_registers.h"

namespace nicsim::jit::x86 {

// The eight classic binary operations (the /digit of opcodes 0x81/0x83, and opcode >> 3).
enum class AluOp : uint8_t {
  Add = 0,
  Or = 1,
  Adc = 2,
  Sbb = 3,
  And = 4,
  Sub = 5,
  Xor = 6,
  Cmp = 7
};
// Shift group (opcodes 0xC1/0xD1/0xD3).
enum class ShiftOp : uint8_t { Rol = 0, Ror = 1, Shl = 4, Shr = 5, Sar = 7 };
// Unary group 3 (opcode 0xF7).
enum class UnaryOp : uint8_t { Not = 2, Neg = 3, Mul = 4, Imul = 5, Div = 6, Idiv = 7 };

class X86Encoder {
 public:
  explicit X86Encoder(CodeBuffer& code, BranchRelaxer* relaxer = nullptr)
      : code_(code), relaxer_(relaxer) {}

  CodeBuffer& code() { return code_; }

  // --- data movement ---
  void mov_reg_reg(Width w, Reg dst, Reg src);   // mov dst, src (W32/W64)
  void mov_reg_imm32(Reg dst, uint32_t imm);     // mov r32, imm32 (zero-extends)
  void mov_reg_simm32(Reg dst, int32_t imm);     // mov r64, simm32 (sign-extends)
  void movabs_reg_imm64(Reg dst, uint64_t imm);  // mov r64, imm64
  void movabs_reg_label(Reg dst, Label target);  // mov r64, <address of target>
  // Loads the constant in the shortest form (xor, mov r32, sign-extended mov, movabs).
  void load_constant(Reg dst, uint64_t value);
  void load(Width w, Reg dst, Mem src);                    // mov r, [m] (W32/W64)
  void load_zero_extend(Width w, Reg dst, Mem src);        // movzx r32, byte/word [m]
  void load_sign_extend(Width w, Reg dst, Mem src);        // movsx/movsxd r64, [m]
  void store(Width w, Mem dst, Reg src);                   // mov [m], r (all widths)
  void store_imm(Width w, Mem dst, int32_t imm);           // mov [m], imm (imm16 for W16)
  void movzx_reg(Width from, Reg dst, Reg src);            // movzx r32, r8/r16
  void movsx_reg(Width from, Width to, Reg dst, Reg src);  // movsx r32/r64, r8/r16; movsxd
  void lea(Reg dst, Mem src);                              // lea r64, [m]
  // lea r64, [base + index * scale] (scale 1, 2, 4 or 8; index not rsp)
  void lea_indexed(Reg dst, Reg base, Reg index, uint8_t scale);
  void push(Reg r);
  void pop(Reg r);

  // --- arithmetic ---
  void alu_reg_reg(AluOp op, Width w, Reg dst, Reg src);       // op dst, src
  void alu_reg_imm(AluOp op, Width w, Reg dst, int32_t imm);   // op dst, imm (imm8 when it fits)
  void alu_reg_mem(AluOp op, Width w, Reg dst, Mem src);       // op dst, [m]
  void alu_mem_imm(AluOp op, Width w, Mem dst, int32_t imm);   // op [m], imm
  void lock_alu_mem_reg(AluOp op, Width w, Mem dst, Reg src);  // lock op [m], src
  void shift_reg_imm(ShiftOp op, Width w, Reg dst, uint8_t count);  // (W16 too, for rol)
  void shift_reg_cl(ShiftOp op, Width w, Reg dst);
  void unary(UnaryOp op, Width w, Reg r);        // not/neg/mul/imul/div/idiv r
  void imul_reg_reg(Width w, Reg dst, Reg src);  // imul dst, src
  void imul_reg_reg_imm(Width w, Reg dst, Reg src, int32_t imm);
  void cdq();  // edx:eax <- sign(eax)
  void cqo();  // rdx:rax <- sign(rax)
  void test_reg_reg(Width w, Reg a, Reg b);
  void test_reg_imm(Width w, Reg r, int32_t imm);
  void bswap(Width w, Reg r);  // W32/W64

  // --- atomics (the lock prefix is part of each) ---
  void lock_xadd(Width w, Mem dst, Reg src);
  void lock_cmpxchg(Width w, Mem dst, Reg src);
  void xchg_mem_reg(Width w, Mem dst, Reg src);  // implicitly locked

  // --- control flow ---
  void jmp(Label target);
  void jcc(Cond cond, Label target);
  void call(Label target);  // call rel32
  void call_reg(Reg r);
  void jmp_reg(Reg r);
  void ret();
  void int3();
  void ud2();

 private:
  void rex(bool w, uint8_t reg, uint8_t index, uint8_t base, bool force = false);
  void rex_rr(Width w, Reg reg, Reg rm, bool byte_regs = false);
  void rex_rm(Width w, Reg reg, Mem m, bool byte_reg = false);
  void modrm_reg(uint8_t reg_field, Reg rm);
  void modrm_mem(uint8_t reg_field, Mem m);
  void operand_size_prefix(Width w);
  void emit_branch(uint8_t short_opcode, const uint8_t* long_opcode, size_t long_opcode_length,
                   Label target);

  CodeBuffer& code_;
  BranchRelaxer* relaxer_;
};

}  // namespace nicsim::jit::x86
