#include "jit/x86_64/x86_encoder.h"

#include <fmt/format.h>

#include <bit>

#include "jit/common/jit_error.h"

namespace nicsim::jit::x86 {

namespace {

constexpr uint8_t kRexBase = 0x40;
constexpr uint8_t kLockPrefix = 0xf0;
constexpr uint8_t kOperandSizePrefix = 0x66;
constexpr uint8_t kTwoByteEscape = 0x0f;

// spl, bpl, sil and dil exist as byte registers only with a REX prefix (without one, the same
// codes mean ah, ch, dh, bh).
bool needs_rex_as_byte(Reg r) {
  return reg_code(r) >= 4 && reg_code(r) <= 7;
}

bool fits_int8(int64_t v) {
  return v >= INT8_MIN && v <= INT8_MAX;
}

void require(bool condition, const char* what) {
  if (!condition) throw JitError(fmt::format("x86 encoder: {}", what));
}

}  // namespace

void X86Encoder::rex(bool w, uint8_t reg, uint8_t index, uint8_t base, bool force) {
  const uint8_t value =
      kRexBase | (w ? 8 : 0) | ((reg & 8) ? 4 : 0) | ((index & 8) ? 2 : 0) | ((base & 8) ? 1 : 0);
  if (value != kRexBase || force) code_.put8(value);
}

void X86Encoder::rex_rr(Width w, Reg reg, Reg rm, bool byte_regs) {
  const bool force = byte_regs && (needs_rex_as_byte(reg) || needs_rex_as_byte(rm));
  rex(w == Width::W64, reg_code(reg), 0, reg_code(rm), force);
}

void X86Encoder::rex_rm(Width w, Reg reg, Mem m, bool byte_reg) {
  rex(w == Width::W64, reg_code(reg), 0, reg_code(m.base), byte_reg && needs_rex_as_byte(reg));
}

void X86Encoder::modrm_reg(uint8_t reg_field, Reg rm) {
  code_.put8(static_cast<uint8_t>(0xc0 | ((reg_field & 7) << 3) | low3(rm)));
}

void X86Encoder::modrm_mem(uint8_t reg_field, Mem m) {
  const uint8_t reg_bits = static_cast<uint8_t>((reg_field & 7) << 3);
  // rbp/r13 as a base with mod 00 would mean rip-relative: they always carry a displacement.
  uint8_t mod;
  if (m.disp == 0 && low3(m.base) != 5) {
    mod = 0x00;
  } else if (fits_int8(m.disp)) {
    mod = 0x40;
  } else {
    mod = 0x80;
  }
  code_.put8(static_cast<uint8_t>(mod | reg_bits | low3(m.base)));
  // rsp/r12 as a base need a SIB byte (no index, base in SIB).
  if (low3(m.base) == 4) code_.put8(0x24);
  if (mod == 0x40) code_.put8(static_cast<uint8_t>(static_cast<int8_t>(m.disp)));
  if (mod == 0x80) code_.put32(static_cast<uint32_t>(m.disp));
}

void X86Encoder::operand_size_prefix(Width w) {
  if (w == Width::W16) code_.put8(kOperandSizePrefix);
}

// --- data movement ---

void X86Encoder::mov_reg_reg(Width w, Reg dst, Reg src) {
  require(w == Width::W32 || w == Width::W64, "mov reg, reg is 32 or 64 bit");
  rex_rr(w, src, dst);
  code_.put8(0x89);
  modrm_reg(reg_code(src), dst);
}

void X86Encoder::mov_reg_imm32(Reg dst, uint32_t imm) {
  rex(false, 0, 0, reg_code(dst));
  code_.put8(static_cast<uint8_t>(0xb8 + low3(dst)));
  code_.put32(imm);
}

void X86Encoder::mov_reg_simm32(Reg dst, int32_t imm) {
  rex(true, 0, 0, reg_code(dst));
  code_.put8(0xc7);
  modrm_reg(0, dst);
  code_.put32(static_cast<uint32_t>(imm));
}

void X86Encoder::movabs_reg_imm64(Reg dst, uint64_t imm) {
  rex(true, 0, 0, reg_code(dst));
  code_.put8(static_cast<uint8_t>(0xb8 + low3(dst)));
  code_.put64(imm);
}

void X86Encoder::movabs_reg_label(Reg dst, Label target) {
  movabs_reg_imm64(dst, 0);
  const size_t end = code_.size();
  code_.add_fixup(FixupKind::Abs64, end - 8, end, target);
}

void X86Encoder::load_constant(Reg dst, uint64_t value) {
  if (value == 0) {
    alu_reg_reg(AluOp::Xor, Width::W32, dst, dst);
  } else if (value <= UINT32_MAX) {
    mov_reg_imm32(dst, static_cast<uint32_t>(value));
  } else if (static_cast<int64_t>(value) >= INT32_MIN && static_cast<int64_t>(value) < 0) {
    mov_reg_simm32(dst, static_cast<int32_t>(static_cast<int64_t>(value)));
  } else {
    movabs_reg_imm64(dst, value);
  }
}

void X86Encoder::load(Width w, Reg dst, Mem src) {
  require(w == Width::W32 || w == Width::W64, "mov reg, [mem] is 32 or 64 bit");
  rex_rm(w, dst, src);
  code_.put8(0x8b);
  modrm_mem(reg_code(dst), src);
}

void X86Encoder::load_zero_extend(Width w, Reg dst, Mem src) {
  if (w == Width::W32 || w == Width::W64) return load(w, dst, src);
  rex_rm(Width::W32, dst, src);
  code_.put8(kTwoByteEscape);
  code_.put8(w == Width::W8 ? 0xb6 : 0xb7);
  modrm_mem(reg_code(dst), src);
}

void X86Encoder::load_sign_extend(Width w, Reg dst, Mem src) {
  require(w != Width::W64, "sign-extending loads are 8, 16 or 32 bit");
  rex_rm(Width::W64, dst, src);
  if (w == Width::W32) {
    code_.put8(0x63);
  } else {
    code_.put8(kTwoByteEscape);
    code_.put8(w == Width::W8 ? 0xbe : 0xbf);
  }
  modrm_mem(reg_code(dst), src);
}

void X86Encoder::store(Width w, Mem dst, Reg src) {
  operand_size_prefix(w);
  rex_rm(w, src, dst, w == Width::W8);
  code_.put8(w == Width::W8 ? 0x88 : 0x89);
  modrm_mem(reg_code(src), dst);
}

void X86Encoder::store_imm(Width w, Mem dst, int32_t imm) {
  operand_size_prefix(w);
  rex(w == Width::W64, 0, 0, reg_code(dst.base));
  code_.put8(w == Width::W8 ? 0xc6 : 0xc7);
  modrm_mem(0, dst);
  switch (w) {
    case Width::W8:
      code_.put8(static_cast<uint8_t>(imm));
      break;
    case Width::W16:
      code_.put16(static_cast<uint16_t>(imm));
      break;
    default:
      code_.put32(static_cast<uint32_t>(imm));
      break;
  }
}

void X86Encoder::movzx_reg(Width from, Reg dst, Reg src) {
  require(from == Width::W8 || from == Width::W16, "movzx extends 8 or 16 bits");
  rex(false, reg_code(dst), 0, reg_code(src), from == Width::W8 && needs_rex_as_byte(src));
  code_.put8(kTwoByteEscape);
  code_.put8(from == Width::W8 ? 0xb6 : 0xb7);
  modrm_reg(reg_code(dst), src);
}

void X86Encoder::movsx_reg(Width from, Width to, Reg dst, Reg src) {
  require(to == Width::W32 || to == Width::W64, "movsx writes 32 or 64 bits");
  require(from == Width::W8 || from == Width::W16 || (from == Width::W32 && to == Width::W64),
          "movsx extends 8, 16 or (to 64) 32 bits");
  rex(to == Width::W64, reg_code(dst), 0, reg_code(src),
      from == Width::W8 && needs_rex_as_byte(src));
  if (from == Width::W32) {
    code_.put8(0x63);
  } else {
    code_.put8(kTwoByteEscape);
    code_.put8(from == Width::W8 ? 0xbe : 0xbf);
  }
  modrm_reg(reg_code(dst), src);
}

void X86Encoder::lea(Reg dst, Mem src) {
  rex_rm(Width::W64, dst, src);
  code_.put8(0x8d);
  modrm_mem(reg_code(dst), src);
}

void X86Encoder::lea_indexed(Reg dst, Reg base, Reg index, uint8_t scale) {
  require(index != Reg::rsp, "rsp cannot be an index");
  require(std::has_single_bit(scale) && scale <= 8, "an index scale is 1, 2, 4 or 8");
  rex(true, reg_code(dst), reg_code(index), reg_code(base), false);
  code_.put8(0x8d);
  // rbp/r13 as a SIB base with mod 00 would mean "no base": they carry a zero disp8.
  const bool needs_disp = low3(base) == 5;
  code_.put8(static_cast<uint8_t>((needs_disp ? 0x40 : 0x00) | ((reg_code(dst) & 7) << 3) | 4));
  code_.put8(
      static_cast<uint8_t>((std::countr_zero(scale) << 6) | (low3(index) << 3) | low3(base)));
  if (needs_disp) code_.put8(0);
}

void X86Encoder::push(Reg r) {
  rex(false, 0, 0, reg_code(r));
  code_.put8(static_cast<uint8_t>(0x50 + low3(r)));
}

void X86Encoder::pop(Reg r) {
  rex(false, 0, 0, reg_code(r));
  code_.put8(static_cast<uint8_t>(0x58 + low3(r)));
}

// --- arithmetic ---

void X86Encoder::alu_reg_reg(AluOp op, Width w, Reg dst, Reg src) {
  require(w == Width::W32 || w == Width::W64, "ALU reg, reg is 32 or 64 bit");
  rex_rr(w, src, dst);
  code_.put8(static_cast<uint8_t>((static_cast<uint8_t>(op) << 3) | 0x01));
  modrm_reg(reg_code(src), dst);
}

void X86Encoder::alu_reg_imm(AluOp op, Width w, Reg dst, int32_t imm) {
  require(w == Width::W32 || w == Width::W64, "ALU reg, imm is 32 or 64 bit");
  rex(w == Width::W64, 0, 0, reg_code(dst));
  const bool short_imm = fits_int8(imm);
  code_.put8(short_imm ? 0x83 : 0x81);
  modrm_reg(static_cast<uint8_t>(op), dst);
  if (short_imm) {
    code_.put8(static_cast<uint8_t>(imm));
  } else {
    code_.put32(static_cast<uint32_t>(imm));
  }
}

void X86Encoder::alu_reg_mem(AluOp op, Width w, Reg dst, Mem src) {
  require(w == Width::W32 || w == Width::W64, "ALU reg, [mem] is 32 or 64 bit");
  rex_rm(w, dst, src);
  code_.put8(static_cast<uint8_t>((static_cast<uint8_t>(op) << 3) | 0x03));
  modrm_mem(reg_code(dst), src);
}

void X86Encoder::alu_mem_imm(AluOp op, Width w, Mem dst, int32_t imm) {
  require(w == Width::W32 || w == Width::W64, "ALU [mem], imm is 32 or 64 bit");
  rex(w == Width::W64, 0, 0, reg_code(dst.base));
  const bool short_imm = fits_int8(imm);
  code_.put8(short_imm ? 0x83 : 0x81);
  modrm_mem(static_cast<uint8_t>(op), dst);
  if (short_imm) {
    code_.put8(static_cast<uint8_t>(imm));
  } else {
    code_.put32(static_cast<uint32_t>(imm));
  }
}

void X86Encoder::lock_alu_mem_reg(AluOp op, Width w, Mem dst, Reg src) {
  require(w == Width::W32 || w == Width::W64, "lock ALU is 32 or 64 bit");
  require(op == AluOp::Add || op == AluOp::Or || op == AluOp::And || op == AluOp::Xor ||
              op == AluOp::Sub || op == AluOp::Adc || op == AluOp::Sbb,
          "cmp cannot take a lock prefix");
  code_.put8(kLockPrefix);
  rex_rm(w, src, dst);
  code_.put8(static_cast<uint8_t>((static_cast<uint8_t>(op) << 3) | 0x01));
  modrm_mem(reg_code(src), dst);
}

void X86Encoder::shift_reg_imm(ShiftOp op, Width w, Reg dst, uint8_t count) {
  require(w != Width::W8, "8-bit shifts are not used");
  operand_size_prefix(w);
  rex(w == Width::W64, 0, 0, reg_code(dst));
  code_.put8(count == 1 ? 0xd1 : 0xc1);
  modrm_reg(static_cast<uint8_t>(op), dst);
  if (count != 1) code_.put8(count);
}

void X86Encoder::shift_reg_cl(ShiftOp op, Width w, Reg dst) {
  require(w == Width::W32 || w == Width::W64, "shift by cl is 32 or 64 bit");
  rex(w == Width::W64, 0, 0, reg_code(dst));
  code_.put8(0xd3);
  modrm_reg(static_cast<uint8_t>(op), dst);
}

void X86Encoder::unary(UnaryOp op, Width w, Reg r) {
  require(w == Width::W32 || w == Width::W64, "unary group is 32 or 64 bit");
  rex(w == Width::W64, 0, 0, reg_code(r));
  code_.put8(0xf7);
  modrm_reg(static_cast<uint8_t>(op), r);
}

void X86Encoder::imul_reg_reg(Width w, Reg dst, Reg src) {
  require(w == Width::W32 || w == Width::W64, "imul is 32 or 64 bit");
  rex_rr(w, dst, src);
  code_.put8(kTwoByteEscape);
  code_.put8(0xaf);
  modrm_reg(reg_code(dst), src);
}

void X86Encoder::imul_reg_reg_imm(Width w, Reg dst, Reg src, int32_t imm) {
  require(w == Width::W32 || w == Width::W64, "imul is 32 or 64 bit");
  rex_rr(w, dst, src);
  const bool short_imm = fits_int8(imm);
  code_.put8(short_imm ? 0x6b : 0x69);
  modrm_reg(reg_code(dst), src);
  if (short_imm) {
    code_.put8(static_cast<uint8_t>(imm));
  } else {
    code_.put32(static_cast<uint32_t>(imm));
  }
}

void X86Encoder::cdq() {
  code_.put8(0x99);
}

void X86Encoder::cqo() {
  code_.put8(0x48);
  code_.put8(0x99);
}

void X86Encoder::test_reg_reg(Width w, Reg a, Reg b) {
  require(w == Width::W32 || w == Width::W64, "test is 32 or 64 bit");
  rex_rr(w, b, a);
  code_.put8(0x85);
  modrm_reg(reg_code(b), a);
}

void X86Encoder::test_reg_imm(Width w, Reg r, int32_t imm) {
  require(w == Width::W32 || w == Width::W64, "test is 32 or 64 bit");
  rex(w == Width::W64, 0, 0, reg_code(r));
  code_.put8(0xf7);
  modrm_reg(0, r);
  code_.put32(static_cast<uint32_t>(imm));
}

void X86Encoder::bswap(Width w, Reg r) {
  require(w == Width::W32 || w == Width::W64, "bswap is 32 or 64 bit");
  rex(w == Width::W64, 0, 0, reg_code(r));
  code_.put8(kTwoByteEscape);
  code_.put8(static_cast<uint8_t>(0xc8 + low3(r)));
}

// --- atomics ---

void X86Encoder::lock_xadd(Width w, Mem dst, Reg src) {
  require(w == Width::W32 || w == Width::W64, "xadd is 32 or 64 bit here");
  code_.put8(kLockPrefix);
  rex_rm(w, src, dst);
  code_.put8(kTwoByteEscape);
  code_.put8(0xc1);
  modrm_mem(reg_code(src), dst);
}

void X86Encoder::lock_cmpxchg(Width w, Mem dst, Reg src) {
  require(w == Width::W32 || w == Width::W64, "cmpxchg is 32 or 64 bit here");
  code_.put8(kLockPrefix);
  rex_rm(w, src, dst);
  code_.put8(kTwoByteEscape);
  code_.put8(0xb1);
  modrm_mem(reg_code(src), dst);
}

void X86Encoder::xchg_mem_reg(Width w, Mem dst, Reg src) {
  require(w == Width::W32 || w == Width::W64, "xchg is 32 or 64 bit here");
  rex_rm(w, src, dst);
  code_.put8(0x87);
  modrm_mem(reg_code(src), dst);
}

// --- control flow ---

void X86Encoder::emit_branch(uint8_t short_opcode, const uint8_t* long_opcode,
                             size_t long_opcode_length, Label target) {
  if (relaxer_ != nullptr && relaxer_->use_short(code_, target, 2, long_opcode_length + 4)) {
    code_.put8(short_opcode);
    code_.put8(0);
    code_.add_fixup(FixupKind::Rel8, code_.size() - 1, code_.size(), target);
    return;
  }
  for (size_t i = 0; i < long_opcode_length; ++i)
    code_.put8(long_opcode[i]);
  code_.put32(0);
  code_.add_fixup(FixupKind::Rel32, code_.size() - 4, code_.size(), target);
}

void X86Encoder::jmp(Label target) {
  static constexpr uint8_t kLong[] = {0xe9};
  emit_branch(0xeb, kLong, 1, target);
}

void X86Encoder::jcc(Cond cond, Label target) {
  const uint8_t cc = static_cast<uint8_t>(cond);
  const uint8_t long_opcode[] = {kTwoByteEscape, static_cast<uint8_t>(0x80 | cc)};
  emit_branch(static_cast<uint8_t>(0x70 | cc), long_opcode, 2, target);
}

void X86Encoder::call(Label target) {
  code_.put8(0xe8);
  code_.put32(0);
  code_.add_fixup(FixupKind::Rel32, code_.size() - 4, code_.size(), target);
}

void X86Encoder::call_reg(Reg r) {
  rex(false, 0, 0, reg_code(r));
  code_.put8(0xff);
  modrm_reg(2, r);
}

void X86Encoder::jmp_reg(Reg r) {
  rex(false, 0, 0, reg_code(r));
  code_.put8(0xff);
  modrm_reg(4, r);
}

void X86Encoder::ret() {
  code_.put8(0xc3);
}

void X86Encoder::int3() {
  code_.put8(0xcc);
}

void X86Encoder::ud2() {
  code_.put8(kTwoByteEscape);
  code_.put8(0x0b);
}

}  // namespace nicsim::jit::x86
