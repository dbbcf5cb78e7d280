#include "jit/arm64/a64_encoder.h"

#include <fmt/format.h>

#include <bit>

#include "jit/common/jit_error.h"

namespace nicsim::jit::a64 {

namespace {

uint32_t r(Reg reg) {
  return reg_code(reg);
}

bool fits_signed(int64_t value, int bits) {
  return value >= -(int64_t{1} << (bits - 1)) && value < (int64_t{1} << (bits - 1));
}

uint32_t field(int64_t value, int bits) {
  return static_cast<uint32_t>(static_cast<uint64_t>(value) & ((uint64_t{1} << bits) - 1));
}

// --- the label fields of instruction words (CodeBuffer::WordField) ---

int64_t distance(uint64_t site, uint64_t target) {
  return static_cast<int64_t>(target - site);
}

uint32_t imm26_field(uint32_t word, uint64_t site, uint64_t target) {
  const int64_t bytes = distance(site, target);
  if (!fits_signed(bytes / 4, 26))
    throw JitError(fmt::format("a64: branch at {:#x} cannot reach {} bytes away", site, bytes));
  return word | field(bytes / 4, 26);
}

uint32_t imm19_field(uint32_t word, uint64_t site, uint64_t target) {
  const int64_t bytes = distance(site, target);
  if (!fits_signed(bytes / 4, 19))
    throw JitError(
        fmt::format("a64: conditional branch at {:#x} cannot reach {} bytes away", site, bytes));
  return word | (field(bytes / 4, 19) << 5);
}

uint32_t adr_field(uint32_t word, uint64_t site, uint64_t target) {
  const int64_t bytes = distance(site, target);
  if (!fits_signed(bytes, 21))
    throw JitError(fmt::format("a64: adr at {:#x} cannot reach {} bytes away", site, bytes));
  return word | (field(bytes, 2) << 29) | (field(bytes >> 2, 19) << 5);
}

uint32_t adrp_page_field(uint32_t word, uint64_t site, uint64_t target) {
  const int64_t pages = static_cast<int64_t>(target >> 12) - static_cast<int64_t>(site >> 12);
  if (!fits_signed(pages, 21))
    throw JitError(fmt::format("a64: adrp at {:#x} cannot reach {} pages away", site, pages));
  return word | (field(pages, 2) << 29) | (field(pages >> 2, 19) << 5);
}

uint32_t add_lo12_field(uint32_t word, uint64_t, uint64_t target) {
  return word | (field(static_cast<int64_t>(target & 0xfff), 12) << 10);
}

// Access size (log2) and the opc field of a single-register load or store.
struct MemEncoding {
  uint32_t size;
  uint32_t opc;
};

MemEncoding mem_encoding(MemOp op) {
  switch (op) {
    case MemOp::Strb:
      return {0, 0};
    case MemOp::Strh:
      return {1, 0};
    case MemOp::StrW:
      return {2, 0};
    case MemOp::StrX:
      return {3, 0};
    case MemOp::Ldrb:
      return {0, 1};
    case MemOp::Ldrh:
      return {1, 1};
    case MemOp::LdrW:
      return {2, 1};
    case MemOp::LdrX:
      return {3, 1};
    case MemOp::LdrsbX:
      return {0, 2};
    case MemOp::LdrshX:
      return {1, 2};
    case MemOp::LdrswX:
      return {2, 2};
  }
  return {3, 1};
}

uint64_t ones(int count) {
  return count >= 64 ? ~uint64_t{0} : (uint64_t{1} << count) - 1;
}

uint64_t rotate_right(uint64_t value, int amount, int width) {
  if (amount == 0) return value;
  return ((value >> amount) | (value << (width - amount))) & ones(width);
}

}  // namespace

int access_size(MemOp op) {
  return 1 << mem_encoding(op).size;
}

std::optional<uint32_t> encode_bitmask_immediate(uint64_t value, Size size) {
  if (size == Size::W32) {
    value &= 0xffffffffu;
    value |= value << 32;
  }
  // The smallest element the value replicates.
  int element = 64;
  while (element > 2) {
    const int half = element / 2;
    if ((value & ones(half)) != ((value >> half) & ones(half))) break;
    element = half;
  }
  const uint64_t pattern = value & ones(element);
  if (pattern == 0 || pattern == ones(element)) return std::nullopt;
  const int count = std::popcount(pattern);
  // The element must be a run of `count` ones rotated right by some amount.
  for (int rotation = 0; rotation < element; ++rotation) {
    if (rotate_right(ones(count), rotation, element) != pattern) continue;
    const uint32_t n = element == 64 ? 1 : 0;
    const uint32_t imms =
        static_cast<uint32_t>((~(uint64_t(element) - 1) << 1) | uint64_t(count - 1)) & 0x3f;
    return (n << 12) | (static_cast<uint32_t>(rotation) << 6) | imms;
  }
  return std::nullopt;
}

// --- data processing, immediate ---

void A64Encoder::emit_addsub_immediate(AddSubOp op, bool set_flags, Size size, Reg rd, Reg rn,
                                       uint32_t imm12, bool shift12) {
  if (imm12 > 0xfff)
    throw JitError(fmt::format("a64: add/sub immediate {} exceeds 12 bits", imm12));
  put((sf(size) << 31) | (static_cast<uint32_t>(op) << 30) | (set_flags ? 1u << 29 : 0) |
      0x11000000u | (shift12 ? 1u << 22 : 0) | (imm12 << 10) | (r(rn) << 5) | r(rd));
}

void A64Encoder::emit_logical_immediate(LogicalOp op, Size size, Reg rd, Reg rn, uint64_t value) {
  const std::optional<uint32_t> fields = encode_bitmask_immediate(value, size);
  if (!fields) throw JitError(fmt::format("a64: {:#x} is not a logical immediate", value));
  put((sf(size) << 31) | (static_cast<uint32_t>(op) << 29) | 0x12000000u | (*fields << 10) |
      (r(rn) << 5) | r(rd));
}

void A64Encoder::emit_move_wide(MoveWideOp op, Size size, Reg rd, uint16_t imm16, int shift) {
  const int max_shift = size == Size::X64 ? 48 : 16;
  if (shift < 0 || shift > max_shift || shift % 16 != 0)
    throw JitError(fmt::format("a64: move-wide shift {} is invalid", shift));
  put((sf(size) << 31) | (static_cast<uint32_t>(op) << 29) | 0x12800000u |
      (static_cast<uint32_t>(shift / 16) << 21) | (uint32_t{imm16} << 5) | r(rd));
}

void A64Encoder::emit_bitfield(BitfieldOp op, Size size, Reg rd, Reg rn, uint32_t immr,
                               uint32_t imms) {
  const uint32_t limit = size == Size::X64 ? 63 : 31;
  if (immr > limit || imms > limit)
    throw JitError(fmt::format("a64: bitfield #{}, #{} out of range", immr, imms));
  put((sf(size) << 31) | (static_cast<uint32_t>(op) << 29) | 0x13000000u | (sf(size) << 22) |
      (immr << 16) | (imms << 10) | (r(rn) << 5) | r(rd));
}

void A64Encoder::emit_adr(Reg rd, Label target) {
  put(0x10000000u | r(rd));
  refer(adr_field, target);
}

void A64Encoder::emit_adrp(Reg rd, Label target) {
  put(0x90000000u | r(rd));
  refer(adrp_page_field, target);
}

void A64Encoder::emit_add_lo12(Reg rd, Reg rn, Label target) {
  emit_addsub_immediate(AddSubOp::Add, false, Size::X64, rd, rn, 0);
  refer(add_lo12_field, target);
}

// --- data processing, register ---

void A64Encoder::emit_addsub_shifted_register(AddSubOp op, bool set_flags, Size size, Reg rd,
                                              Reg rn, Reg rm, Shift shift, uint32_t amount) {
  if (shift == Shift::Ror || amount > (size == Size::X64 ? 63u : 31u))
    throw JitError("a64: invalid shift of an add/sub operand");
  put((sf(size) << 31) | (static_cast<uint32_t>(op) << 30) | (set_flags ? 1u << 29 : 0) |
      0x0B000000u | (static_cast<uint32_t>(shift) << 22) | (r(rm) << 16) | (amount << 10) |
      (r(rn) << 5) | r(rd));
}

void A64Encoder::emit_logical_shifted_register(LogicalOp op, bool invert, Size size, Reg rd, Reg rn,
                                               Reg rm, Shift shift, uint32_t amount) {
  if (amount > (size == Size::X64 ? 63u : 31u))
    throw JitError("a64: invalid shift of a logical operand");
  put((sf(size) << 31) | (static_cast<uint32_t>(op) << 29) | 0x0A000000u |
      (static_cast<uint32_t>(shift) << 22) | (invert ? 1u << 21 : 0) | (r(rm) << 16) |
      (amount << 10) | (r(rn) << 5) | r(rd));
}

void A64Encoder::emit_data_processing_2source(TwoSourceOp op, Size size, Reg rd, Reg rn, Reg rm) {
  put((sf(size) << 31) | 0x1AC00000u | (r(rm) << 16) | (static_cast<uint32_t>(op) << 10) |
      (r(rn) << 5) | r(rd));
}

void A64Encoder::emit_data_processing_1source(OneSourceOp op, Size size, Reg rd, Reg rn) {
  if (size == Size::W32 && op == OneSourceOp::Rev64)
    throw JitError("a64: a 64-bit byte reversal needs X registers");
  put((sf(size) << 31) | 0x5AC00000u | (static_cast<uint32_t>(op) << 10) | (r(rn) << 5) | r(rd));
}

void A64Encoder::emit_data_processing_3source(ThreeSourceOp op, Size size, Reg rd, Reg rn, Reg rm,
                                              Reg ra) {
  put((sf(size) << 31) | 0x1B000000u | (r(rm) << 16) | (static_cast<uint32_t>(op) << 15) |
      (r(ra) << 10) | (r(rn) << 5) | r(rd));
}

void A64Encoder::emit_conditional_select(CondSelectOp op, Size size, Reg rd, Reg rn, Reg rm,
                                         Cond cond) {
  const uint32_t invert = op == CondSelectOp::Csinv || op == CondSelectOp::Csneg ? 1 : 0;
  const uint32_t increment = op == CondSelectOp::Csinc || op == CondSelectOp::Csneg ? 1 : 0;
  put((sf(size) << 31) | (invert << 30) | 0x1A800000u | (r(rm) << 16) |
      (static_cast<uint32_t>(cond) << 12) | (increment << 10) | (r(rn) << 5) | r(rd));
}

// --- loads and stores ---

void A64Encoder::emit_load_store_unsigned_offset(MemOp op, Reg rt, Reg rn, uint32_t offset) {
  const MemEncoding e = mem_encoding(op);
  const uint32_t scale = 1u << e.size;
  if (offset % scale != 0 || offset / scale > 0xfff)
    throw JitError(fmt::format("a64: offset {} cannot be scaled by {}", offset, scale));
  put((e.size << 30) | 0x39000000u | (e.opc << 22) | ((offset / scale) << 10) | (r(rn) << 5) |
      r(rt));
}

void A64Encoder::emit_load_store_unscaled(MemOp op, Reg rt, Reg rn, int32_t offset) {
  if (!fits_signed(offset, 9)) throw JitError(fmt::format("a64: offset {} exceeds 9 bits", offset));
  const MemEncoding e = mem_encoding(op);
  put((e.size << 30) | 0x38000000u | (e.opc << 22) | (field(offset, 9) << 12) | (r(rn) << 5) |
      r(rt));
}

void A64Encoder::emit_load_store_immediate_indexed(MemOp op, Index index, Reg rt, Reg rn,
                                                   int32_t offset) {
  if (!fits_signed(offset, 9) || index == Index::Offset)
    throw JitError("a64: invalid pre/post-indexed access");
  const MemEncoding e = mem_encoding(op);
  const uint32_t mode = index == Index::PostIndex ? 0b01 : 0b11;
  put((e.size << 30) | 0x38000000u | (e.opc << 22) | (field(offset, 9) << 12) | (mode << 10) |
      (r(rn) << 5) | r(rt));
}

void A64Encoder::emit_load_store_register_offset(MemOp op, Reg rt, Reg rn, Reg rm) {
  const MemEncoding e = mem_encoding(op);
  // option 011 (LSL, 64-bit index), S = 0: no scaling.
  put((e.size << 30) | 0x38200800u | (e.opc << 22) | (r(rm) << 16) | (0b011u << 13) | (r(rn) << 5) |
      r(rt));
}

void A64Encoder::emit_load_store_pair(PairOp op, Index index, Reg rt1, Reg rt2, Reg rn,
                                      int32_t offset) {
  if (offset % 8 != 0 || !fits_signed(offset / 8, 7))
    throw JitError(fmt::format("a64: pair offset {} is invalid", offset));
  const uint32_t mode = index == Index::PostIndex ? 0b01 : index == Index::Offset ? 0b10 : 0b11;
  put(0xA8000000u | (mode << 23) | (op == PairOp::Ldp ? 1u << 22 : 0) |
      (field(offset / 8, 7) << 15) | (r(rt2) << 10) | (r(rn) << 5) | r(rt1));
}

void A64Encoder::emit_ldaxr(Size size, Reg rt, Reg rn) {
  put(((size == Size::X64 ? 0b11u : 0b10u) << 30) | 0x085FFC00u | (r(rn) << 5) | r(rt));
}

void A64Encoder::emit_stlxr(Size size, Reg rs, Reg rt, Reg rn) {
  put(((size == Size::X64 ? 0b11u : 0b10u) << 30) | 0x0800FC00u | (r(rs) << 16) | (r(rn) << 5) |
      r(rt));
}

void A64Encoder::emit_clrex() {
  put(0xD5033F5Fu);  // CRm = 15: the whole monitor
}

void A64Encoder::emit_dmb_ish() {
  put(0xD5033BBFu);
}

// --- branches ---

void A64Encoder::refer(WordField field, Label target) {
  if (!target.valid()) throw JitError("a64: branch to an invalid label");
  code_.add_word_fixup(field, code_.size() - 4, target);
}

bool A64Encoder::use_short(Label target) {
  return relaxer_ == nullptr || relaxer_->use_short(code_, target, 4, 8);
}

void A64Encoder::emit_b(Label target) {
  put(0x14000000u);
  refer(imm26_field, target);
}

void A64Encoder::emit_bl(Label target) {
  put(0x94000000u);
  refer(imm26_field, target);
}

void A64Encoder::emit_b_cond(Cond cond, Label target) {
  if (use_short(target)) {
    put(0x54000000u | static_cast<uint32_t>(cond));
    refer(imm19_field, target);
    return;
  }
  put(0x54000000u | (2u << 5) | static_cast<uint32_t>(invert(cond)));  // over the B
  emit_b(target);
}

void A64Encoder::emit_compare_branch(bool nonzero, Size size, Reg rt, Label target) {
  const uint32_t base = (sf(size) << 31) | 0x34000000u | r(rt);
  if (use_short(target)) {
    put(base | (nonzero ? 1u << 24 : 0));
    refer(imm19_field, target);
    return;
  }
  put(base | (nonzero ? 0 : 1u << 24) | (2u << 5));  // the opposite test, over the B
  emit_b(target);
}

void A64Encoder::emit_br(Reg rn) {
  put(0xD61F0000u | (r(rn) << 5));
}

void A64Encoder::emit_blr(Reg rn) {
  put(0xD63F0000u | (r(rn) << 5));
}

void A64Encoder::emit_ret(Reg rn) {
  put(0xD65F0000u | (r(rn) << 5));
}

void A64Encoder::emit_brk(uint16_t imm16) {
  put(0xD4200000u | (uint32_t{imm16} << 5));
}

void A64Encoder::emit_nop() {
  put(0xD503201Fu);
}

// --- composed forms ---

void A64Encoder::emit_mov_constant(Size size, Reg rd, uint64_t value) {
  const int halves = size == Size::X64 ? 4 : 2;
  if (size == Size::W32) value &= 0xffffffffu;
  auto half = [&](int i) { return static_cast<uint16_t>(value >> (16 * i)); };
  int zero = 0, all_ones = 0;
  for (int i = 0; i < halves; ++i) {
    zero += half(i) == 0 ? 1 : 0;
    all_ones += half(i) == 0xffff ? 1 : 0;
  }
  if (zero >= halves - 1) {  // at most one halfword set: MOVZ
    int i = 0;
    while (i < halves - 1 && half(i) == 0)
      ++i;
    emit_movz(size, rd, half(i), 16 * i);
    return;
  }
  if (all_ones >= halves - 1) {  // at most one halfword clear: MOVN
    int i = 0;
    while (i < halves - 1 && half(i) == 0xffff)
      ++i;
    emit_movn(size, rd, static_cast<uint16_t>(~half(i)), 16 * i);
    return;
  }
  if (encode_bitmask_immediate(value, size)) {
    emit_logical_immediate(LogicalOp::Orr, size, rd, Reg::zr, value);
    return;
  }
  // Start from all zeros or all ones, whichever leaves fewer halfwords to patch.
  const bool from_ones = all_ones > zero;
  const uint16_t background = from_ones ? 0xffff : 0;
  bool first = true;
  for (int i = 0; i < halves; ++i) {
    if (half(i) == background) continue;
    if (first) {
      if (from_ones) {
        emit_movn(size, rd, static_cast<uint16_t>(~half(i)), 16 * i);
      } else {
        emit_movz(size, rd, half(i), 16 * i);
      }
      first = false;
    } else {
      emit_movk(size, rd, half(i), 16 * i);
    }
  }
}

}  // namespace nicsim::jit::a64
