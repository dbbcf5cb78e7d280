// ALU and ALU64: arithmetic, moves, shifts, division and byte swaps. 32-bit operations use
// 32-bit machine instructions, which zero-extend their result as eBPF requires.

#include <fmt/format.h>

#include "jit/common/jit_error.h"
#include "jit/x86_64/x86_translator.h"

namespace nicsim::jit::x86 {

using namespace ebpf;  // opcode constants

namespace {

AluOp binary_op(uint8_t op) {
  switch (op) {
    case kAluAdd:
      return AluOp::Add;
    case kAluSub:
      return AluOp::Sub;
    case kAluOr:
      return AluOp::Or;
    case kAluAnd:
      return AluOp::And;
    default:
      return AluOp::Xor;
  }
}

ShiftOp shift_op(uint8_t op) {
  switch (op) {
    case kAluLsh:
      return ShiftOp::Shl;
    case kAluRsh:
      return ShiftOp::Shr;
    default:
      return ShiftOp::Sar;
  }
}

}  // namespace

void X86Translator::materialize_imm(Reg scratch, int32_t imm, bool sign_extend_64, size_t slot) {
  if (!hardening()) {
    if (sign_extend_64) {
      enc_.load_constant(scratch, static_cast<uint64_t>(static_cast<int64_t>(imm)));
    } else {
      enc_.load_constant(scratch, static_cast<uint32_t>(imm));
    }
    return;
  }
  // Sign extension commutes with XOR, so the blinded halves recombine to the same value.
  const auto key = static_cast<int32_t>(blinding_key(slot));
  if (sign_extend_64) {
    enc_.mov_reg_simm32(scratch, imm ^ key);
    enc_.alu_reg_imm(AluOp::Xor, Width::W64, scratch, key);
  } else {
    enc_.mov_reg_imm32(scratch, static_cast<uint32_t>(imm ^ key));
    enc_.alu_reg_imm(AluOp::Xor, Width::W32, scratch, key);
  }
}

bool X86Translator::emit_copy_plus_constant(int dst, int src, int32_t imm) {
  enc_.lea(ebpf_reg(dst), Mem{ebpf_reg(src), imm});  // 4 or 7 bytes instead of 7 or 10
  return true;
}

void X86Translator::translate_alu(size_t slot, const Insn& insn) {
  const bool is64 = insn.cls() == kClassAlu64;
  const Width w = is64 ? Width::W64 : Width::W32;
  const Reg dst = ebpf_reg(insn.dst());
  const bool reg_source = insn.source() == kSrcX;
  switch (insn.op()) {
    case kAluAdd:
    case kAluSub:
    case kAluOr:
    case kAluAnd:
    case kAluXor:
      if (reg_source) {
        enc_.alu_reg_reg(binary_op(insn.op()), w, dst, ebpf_reg(insn.src()));
      } else if (insn.op() == kAluAnd && (insn.imm == 0xff || insn.imm == 0xffff)) {
        // The same low byte or word, zero-extended to 64 bits, in 3-4 bytes instead of 6-7
        // (and not blinded: a mask is not an attacker's constant in the code).
        enc_.movzx_reg(insn.imm == 0xff ? Width::W8 : Width::W16, dst, dst);
      } else if (hardening()) {
        materialize_imm(kScratch0, insn.imm, is64, slot);
        enc_.alu_reg_reg(binary_op(insn.op()), w, dst, kScratch0);
      } else {
        enc_.alu_reg_imm(binary_op(insn.op()), w, dst, insn.imm);
      }
      return;
    case kAluMul:
      if (reg_source) {
        enc_.imul_reg_reg(w, dst, ebpf_reg(insn.src()));
      } else if (hardening()) {
        materialize_imm(kScratch0, insn.imm, is64, slot);
        enc_.imul_reg_reg(w, dst, kScratch0);
      } else {
        // The low half of a product does not depend on signedness; 64-bit imm sign-extends.
        enc_.imul_reg_reg_imm(w, dst, dst, insn.imm);
      }
      return;
    case kAluDiv:
    case kAluMod:
      translate_divmod(slot, insn);
      return;
    case kAluLsh:
    case kAluRsh:
    case kAluArsh:
      translate_shift(insn);
      return;
    case kAluNeg:
      enc_.unary(UnaryOp::Neg, w, dst);
      return;
    case kAluMov:
      if (!reg_source) {
        materialize_imm(dst, insn.imm, is64, slot);
        return;
      }
      translate_mov(insn);
      return;
    case kAluEnd:
      translate_endian(insn);
      return;
    default:
      throw JitError(fmt::format("insn {}: unexpected ALU operation 0x{:02x}", slot, insn.op()));
  }
}

void X86Translator::translate_mov(const Insn& insn) {
  const bool is64 = insn.cls() == kClassAlu64;
  const Width w = is64 ? Width::W64 : Width::W32;
  const Reg dst = ebpf_reg(insn.dst());
  const Reg src = ebpf_reg(insn.src());
  switch (insn.offset) {
    case 0:
      if (!(is64 && dst == src)) enc_.mov_reg_reg(w, dst, src);  // mov r32, r32 zero-extends
      return;
    case 8:
      enc_.movsx_reg(Width::W8, w, dst, src);
      return;
    case 16:
      enc_.movsx_reg(Width::W16, w, dst, src);
      return;
    default:  // 32, ALU64 only (validated)
      enc_.movsx_reg(Width::W32, Width::W64, dst, src);
      return;
  }
}

void X86Translator::translate_shift(const Insn& insn) {
  const bool is64 = insn.cls() == kClassAlu64;
  const Width w = is64 ? Width::W64 : Width::W32;
  const Reg dst = ebpf_reg(insn.dst());
  const ShiftOp op = shift_op(insn.op());
  if (insn.source() == kSrcK) {
    // Counts are masked to the operand width, as x86 masks cl. Shift counts (at most six
    // bits) are not blinded.
    const auto count = static_cast<uint8_t>(insn.imm & (is64 ? 63 : 31));
    if (count == 0) {
      if (!is64) enc_.mov_reg_reg(Width::W32, dst, dst);
      return;
    }
    enc_.shift_reg_imm(op, w, dst, count);
    return;
  }
  // The count must be in cl, which holds r4.
  const Reg src = ebpf_reg(insn.src());
  if (src == Reg::rcx) {
    enc_.shift_reg_cl(op, w, dst);
    return;
  }
  enc_.mov_reg_reg(Width::W64, kScratch0, Reg::rcx);
  enc_.mov_reg_reg(Width::W64, Reg::rcx, src);
  if (dst == Reg::rcx) {
    enc_.shift_reg_cl(op, w, kScratch0);
    enc_.mov_reg_reg(Width::W64, Reg::rcx, kScratch0);
  } else {
    enc_.shift_reg_cl(op, w, dst);
    enc_.mov_reg_reg(Width::W64, Reg::rcx, kScratch0);
  }
}

void X86Translator::translate_divmod(size_t slot, const Insn& insn) {
  const bool is64 = insn.cls() == kClassAlu64;
  const Width w = is64 ? Width::W64 : Width::W32;
  const bool is_signed = insn.offset == 1;
  const bool is_mod = insn.op() == kAluMod;
  const Reg dst = ebpf_reg(insn.dst());

  if (insn.source() == kSrcK && !hardening()) {
    // A constant divisor decides the special cases at compile time.
    const uint64_t divisor = is64 ? static_cast<uint64_t>(static_cast<int64_t>(insn.imm))
                                  : static_cast<uint32_t>(insn.imm);
    const uint64_t all_ones = is64 ? ~uint64_t{0} : uint64_t{UINT32_MAX};
    if (divisor == 0) {
      // x / 0 = 0; x % 0 = x (zero-extended in 32-bit operations).
      if (!is_mod) {
        enc_.alu_reg_reg(AluOp::Xor, Width::W32, dst, dst);
      } else if (!is64) {
        enc_.mov_reg_reg(Width::W32, dst, dst);
      }
      return;
    }
    if (is_signed && divisor == all_ones) {
      // INT_MIN / -1 wraps to INT_MIN (as negation does) and INT_MIN % -1 is 0; idiv would trap.
      if (is_mod) {
        enc_.alu_reg_reg(AluOp::Xor, Width::W32, dst, dst);
      } else {
        enc_.unary(UnaryOp::Neg, w, dst);
      }
      return;
    }
    enc_.load_constant(kScratch0, divisor);
    divide(is64, is_signed, is_mod, dst, kScratch0);
    return;
  }

  Reg divisor = kScratch0;
  if (insn.source() == kSrcX) {
    divisor = ebpf_reg(insn.src());
  } else {
    materialize_imm(kScratch0, insn.imm, is64, slot);
  }
  const Label zero = code().new_label();
  const Label minus_one = code().new_label();
  const Label done = code().new_label();
  enc_.test_reg_reg(w, divisor, divisor);
  enc_.jcc(Cond::E, zero);
  if (is_signed) {
    enc_.alu_reg_imm(AluOp::Cmp, w, divisor, -1);
    enc_.jcc(Cond::E, minus_one);
  }
  divide(is64, is_signed, is_mod, dst, divisor);
  enc_.jmp(done);
  code().bind(zero);
  if (!is_mod) {
    enc_.alu_reg_reg(AluOp::Xor, Width::W32, dst, dst);
  } else if (!is64) {
    enc_.mov_reg_reg(Width::W32, dst, dst);
  }
  if (is_signed) {
    enc_.jmp(done);
    code().bind(minus_one);
    if (is_mod) {
      enc_.alu_reg_reg(AluOp::Xor, Width::W32, dst, dst);
    } else {
      enc_.unary(UnaryOp::Neg, w, dst);
    }
  } else {
    code().bind(minus_one);  // unused, bound so that every label is
  }
  code().bind(done);
}

// dst = dst / divisor or dst % divisor, the divisor known to be neither 0 nor (signed) -1.
// x86 divides rdx:rax, which hold r3 and r0: both are saved around the division.
void X86Translator::divide(bool is64, bool is_signed, bool is_mod, Reg dst, Reg divisor) {
  const Width w = is64 ? Width::W64 : Width::W32;
  if (divisor == Reg::rax || divisor == Reg::rdx) {
    enc_.mov_reg_reg(Width::W64, kScratch0, divisor);
    divisor = kScratch0;
  }
  enc_.mov_reg_reg(Width::W64, kScratch1, Reg::rax);
  enc_.mov_reg_reg(Width::W64, kScratch2, Reg::rdx);
  if (dst != Reg::rax) enc_.mov_reg_reg(Width::W64, Reg::rax, dst);
  if (is_signed) {
    if (is64) {
      enc_.cqo();
    } else {
      enc_.cdq();
    }
    enc_.unary(UnaryOp::Idiv, w, divisor);
  } else {
    enc_.alu_reg_reg(AluOp::Xor, Width::W32, Reg::rdx, Reg::rdx);
    enc_.unary(UnaryOp::Div, w, divisor);
  }
  // 32-bit division writes eax/edx, zero-extending them.
  enc_.mov_reg_reg(Width::W64, kScratch0, is_mod ? Reg::rdx : Reg::rax);
  enc_.mov_reg_reg(Width::W64, Reg::rax, kScratch1);
  enc_.mov_reg_reg(Width::W64, Reg::rdx, kScratch2);
  enc_.mov_reg_reg(Width::W64, dst, kScratch0);
}

void X86Translator::translate_endian(const Insn& insn) {
  const Reg dst = ebpf_reg(insn.dst());
  // ALU64 END is bswap; ALU END converts to little (source 0) or big (source 1) endian, and
  // the host is little-endian.
  const bool swap = insn.cls() == kClassAlu64 || insn.source() == kSrcX;
  switch (insn.imm) {
    case 16:
      if (swap) enc_.shift_reg_imm(ShiftOp::Rol, Width::W16, dst, 8);
      enc_.movzx_reg(Width::W16, dst, dst);
      return;
    case 32:
      if (swap) {
        enc_.bswap(Width::W32, dst);
      } else {
        enc_.mov_reg_reg(Width::W32, dst, dst);
      }
      return;
    default:  // 64
      if (swap) enc_.bswap(Width::W64, dst);
      return;
  }
}

}  // namespace nicsim::jit::x86
