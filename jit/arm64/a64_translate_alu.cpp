// ALU and ALU64: arithmetic, moves, shifts, division and byte swaps. 32-bit operations use W
// registers, whose writes zero-extend into the X register as eBPF requires. AArch64 needs no
// special cases for the ISA's corner cases: UDIV/SDIV return 0 for a zero divisor and
// INT_MIN / -1 wraps to INT_MIN, register shifts take the count modulo the width, and a
// remainder computed as dst - (dst / src) * src leaves dst when src is 0.

#include <fmt/format.h>

#include "jit/arm64/a64_translator.h"
#include "jit/common/jit_error.h"

namespace nicsim::jit::a64 {

using namespace ebpf;  // opcode constants

namespace {

Size size_of(const Instruction& insn) {
  return insn.cls() == kClassAlu64 ? Size::X64 : Size::W32;
}

// The immediate as the operation sees it: sign-extended to 64 bits for ALU64, the 32-bit
// pattern for ALU.
uint64_t immediate(const Instruction& insn) {
  return insn.cls() == kClassAlu64 ? static_cast<uint64_t>(static_cast<int64_t>(insn.imm))
                                   : static_cast<uint32_t>(insn.imm);
}

}  // namespace

Reg A64Translator::source_operand(size_t slot, const Insn& insn) {
  if (insn.source() == kSrcX) return ebpf_reg(insn.src());
  materialize(size_of(insn), kScratch0, immediate(insn), slot);
  return kScratch0;
}

void A64Translator::translate_alu(size_t slot, const Insn& insn) {
  const Size size = size_of(insn);
  const Reg dst = ebpf_reg(insn.dst());
  switch (insn.op()) {
    case kAluAdd:
    case kAluSub:
      if (insn.source() == kSrcK && !hardening()) {
        translate_addsub_imm(slot, insn);
      } else {
        enc_.emit_addsub_shifted_register(insn.op() == kAluAdd ? AddSubOp::Add : AddSubOp::Sub,
                                          false, size, dst, dst, source_operand(slot, insn));
      }
      return;
    case kAluOr:
      translate_logical_imm(slot, insn, LogicalOp::Orr);
      return;
    case kAluAnd:
      translate_logical_imm(slot, insn, LogicalOp::And);
      return;
    case kAluXor:
      translate_logical_imm(slot, insn, LogicalOp::Eor);
      return;
    case kAluMul:
      enc_.emit_data_processing_3source(ThreeSourceOp::Madd, size, dst, dst,
                                        source_operand(slot, insn), Reg::zr);
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
      enc_.emit_addsub_shifted_register(AddSubOp::Sub, false, size, dst, Reg::zr, dst);
      return;
    case kAluMov:
      if (insn.source() == kSrcK) {
        materialize(size, dst, immediate(insn), slot);
      } else {
        translate_mov(insn);
      }
      return;
    case kAluEnd:
      translate_endian(insn);
      return;
    default:
      throw JitError(fmt::format("insn {}: unexpected ALU operation 0x{:02x}", slot, insn.op()));
  }
}

void A64Translator::translate_addsub_imm(size_t slot, const Insn& insn) {
  const Size size = size_of(insn);
  const Reg dst = ebpf_reg(insn.dst());
  // dst + imm as an addition or subtraction of a 12-bit (optionally shifted) magnitude. For
  // 32-bit operations this is the same modulo 2^32.
  int64_t amount = insn.imm;
  AddSubOp op = insn.op() == kAluAdd ? AddSubOp::Add : AddSubOp::Sub;
  if (amount < 0) {
    amount = -amount;
    op = op == AddSubOp::Add ? AddSubOp::Sub : AddSubOp::Add;
  }
  if (amount <= 0xfff) {
    enc_.emit_addsub_immediate(op, false, size, dst, dst, static_cast<uint32_t>(amount));
  } else if ((amount & 0xfff) == 0 && (amount >> 12) <= 0xfff) {
    enc_.emit_addsub_immediate(op, false, size, dst, dst, static_cast<uint32_t>(amount >> 12),
                               true);
  } else {
    enc_.emit_addsub_shifted_register(insn.op() == kAluAdd ? AddSubOp::Add : AddSubOp::Sub, false,
                                      size, dst, dst, source_operand(slot, insn));
  }
}

void A64Translator::translate_logical_imm(size_t slot, const Insn& insn, LogicalOp op) {
  const Size size = size_of(insn);
  const Reg dst = ebpf_reg(insn.dst());
  if (insn.source() == kSrcK && !hardening() && encode_bitmask_immediate(immediate(insn), size)) {
    enc_.emit_logical_immediate(op, size, dst, dst, immediate(insn));
    return;
  }
  enc_.emit_logical_shifted_register(op, false, size, dst, dst, source_operand(slot, insn));
}

void A64Translator::translate_mov(const Insn& insn) {
  const Size size = size_of(insn);
  const Reg dst = ebpf_reg(insn.dst());
  const Reg src = ebpf_reg(insn.src());
  switch (insn.offset) {
    case 0:
      // A W move zero-extends, even onto itself.
      if (!(size == Size::X64 && dst == src)) enc_.emit_mov_register(size, dst, src);
      return;
    case 8:
      enc_.emit_bitfield(BitfieldOp::Sbfm, size, dst, src, 0, 7);  // sxtb
      return;
    case 16:
      enc_.emit_bitfield(BitfieldOp::Sbfm, size, dst, src, 0, 15);  // sxth
      return;
    default:  // 32, ALU64 only (validated)
      enc_.emit_bitfield(BitfieldOp::Sbfm, Size::X64, dst, src, 0, 31);  // sxtw
      return;
  }
}

void A64Translator::translate_shift(const Insn& insn) {
  const Size size = size_of(insn);
  const Reg dst = ebpf_reg(insn.dst());
  if (insn.source() == kSrcX) {
    // LSLV/LSRV/ASRV take the count modulo the register width, as eBPF masks it.
    const TwoSourceOp op = insn.op() == kAluLsh   ? TwoSourceOp::Lslv
                           : insn.op() == kAluRsh ? TwoSourceOp::Lsrv
                                                  : TwoSourceOp::Asrv;
    enc_.emit_data_processing_2source(op, size, dst, dst, ebpf_reg(insn.src()));
    return;
  }
  // Shift counts (at most six bits) are not blinded. A count of 0 still zero-extends ALU32.
  const uint32_t width = size == Size::X64 ? 64 : 32;
  const uint32_t count = static_cast<uint32_t>(insn.imm) & (width - 1);
  switch (insn.op()) {
    case kAluLsh:  // lsl: ubfm #(-count mod width), #(width - 1 - count)
      enc_.emit_bitfield(BitfieldOp::Ubfm, size, dst, dst, (width - count) & (width - 1),
                         width - 1 - count);
      return;
    case kAluRsh:  // lsr: ubfm #count, #(width - 1)
      enc_.emit_bitfield(BitfieldOp::Ubfm, size, dst, dst, count, width - 1);
      return;
    default:  // asr: sbfm #count, #(width - 1)
      enc_.emit_bitfield(BitfieldOp::Sbfm, size, dst, dst, count, width - 1);
      return;
  }
}

void A64Translator::translate_divmod(size_t slot, const Insn& insn) {
  const Size size = size_of(insn);
  const Reg dst = ebpf_reg(insn.dst());
  const Reg divisor = source_operand(slot, insn);
  const TwoSourceOp op = insn.offset == 1 ? TwoSourceOp::Sdiv : TwoSourceOp::Udiv;
  if (insn.op() == kAluDiv) {
    enc_.emit_data_processing_2source(op, size, dst, dst, divisor);
    return;
  }
  // dst - (dst / divisor) * divisor: dst itself when the divisor is 0 (the quotient is 0),
  // and 0 for INT_MIN % -1 (the quotient wraps to INT_MIN).
  enc_.emit_data_processing_2source(op, size, kScratch1, dst, divisor);
  enc_.emit_data_processing_3source(ThreeSourceOp::Msub, size, dst, kScratch1, divisor, dst);
}

void A64Translator::translate_endian(const Insn& insn) {
  const Reg dst = ebpf_reg(insn.dst());
  // ALU64 END is bswap; ALU END converts to little (source 0) or big (source 1) endian, and
  // AArch64 runs little-endian here.
  const bool swap = insn.cls() == kClassAlu64 || insn.source() == kSrcX;
  switch (insn.imm) {
    case 16:
      if (swap) enc_.emit_data_processing_1source(OneSourceOp::Rev16, Size::W32, dst, dst);
      enc_.emit_bitfield(BitfieldOp::Ubfm, Size::W32, dst, dst, 0, 15);  // uxth
      return;
    case 32:
      if (swap) {
        enc_.emit_data_processing_1source(OneSourceOp::Rev32, Size::W32, dst, dst);  // rev w
      } else {
        enc_.emit_mov_register(Size::W32, dst, dst);
      }
      return;
    default:  // 64
      if (swap) enc_.emit_data_processing_1source(OneSourceOp::Rev64, Size::X64, dst, dst);
      return;
  }
}

}  // namespace nicsim::jit::a64
