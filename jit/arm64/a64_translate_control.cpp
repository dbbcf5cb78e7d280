// Conditional jumps and bpf-to-bpf calls with their bookkeeping (the shared translator
// resolves helpers, tail calls and callx).

#include "jit/arm64/a64_translator.h"
#include "jit/common/run_state.h"

namespace nicsim::jit::a64 {

using namespace ebpf;  // opcode constants

namespace {

Cond condition(uint8_t op) {
  switch (op) {
    case kJmpJeq:
      return Cond::EQ;
    case kJmpJne:
    case kJmpJset:
      return Cond::NE;
    case kJmpJgt:
      return Cond::HI;
    case kJmpJge:
      return Cond::HS;
    case kJmpJlt:
      return Cond::LO;
    case kJmpJle:
      return Cond::LS;
    case kJmpJsgt:
      return Cond::GT;
    case kJmpJsge:
      return Cond::GE;
    case kJmpJslt:
      return Cond::LT;
    default:
      return Cond::LE;  // kJmpJsle
  }
}

}  // namespace

void A64Translator::emit_conditional_jump(size_t slot, const Insn& insn, Label target) {
  const bool is32 = insn.cls() == kClassJmp32;
  const Size size = is32 ? Size::W32 : Size::X64;
  const Reg dst = ebpf_reg(insn.dst());
  const bool test = insn.op() == kJmpJset;
  // The immediate as the comparison sees it (64-bit: sign-extended, as in eBPF).
  const uint64_t value = is32 ? static_cast<uint32_t>(insn.imm)
                              : static_cast<uint64_t>(static_cast<int64_t>(insn.imm));
  const int64_t imm = insn.imm;
  const bool plain_imm = insn.source() == kSrcK && !hardening();
  if (plain_imm && test && encode_bitmask_immediate(value, size)) {
    enc_.emit_logical_immediate(LogicalOp::Ands, size, Reg::zr, dst, value);  // tst
  } else if (plain_imm && !test && imm >= 0 && imm <= 0xfff) {
    enc_.emit_addsub_immediate(AddSubOp::Sub, true, size, Reg::zr, dst,
                               static_cast<uint32_t>(imm));  // cmp
  } else if (plain_imm && !test && imm < 0 && imm >= -0xfff) {
    // cmn dst, #-imm sets the same flags as cmp dst, #imm for a non-zero imm.
    enc_.emit_addsub_immediate(AddSubOp::Add, true, size, Reg::zr, dst,
                               static_cast<uint32_t>(-imm));
  } else {
    Reg other = kScratch0;
    if (insn.source() == kSrcX) {
      other = ebpf_reg(insn.src());
    } else {
      materialize(size, kScratch0, value, slot);
    }
    if (test) {
      enc_.emit_logical_shifted_register(LogicalOp::Ands, false, size, Reg::zr, dst, other);
    } else {
      enc_.emit_addsub_shifted_register(AddSubOp::Sub, true, size, Reg::zr, dst, other);
    }
  }
  enc_.emit_b_cond(condition(insn.op()), target);
}

// A bpf-to-bpf call: the caller keeps r6..r9 (callee-saved in eBPF) on the native stack, gives
// the callee the next 512-byte frame and pushes the return address. `indirect` calls the
// address in x9.
void A64Translator::emit_local_call(size_t slot, Label target, bool indirect) {
  const int32_t depth = run_state::kCallDepth;
  if (tracking()) {
    const Label cold = cold_path(slow_path::FaultKind::CallDepth, slot, 0);
    enc_.emit_load_store_unsigned_offset(MemOp::LdrW, kScratch1, kStateReg, depth);
    enc_.emit_addsub_immediate(AddSubOp::Sub, true, Size::W32, Reg::zr, kScratch1,
                               kMaxCallDepth - 1);
    enc_.emit_b_cond(Cond::HS, cold);
  }
  enc_.emit_load_store_pair(PairOp::Stp, Index::PreIndex, Reg::x19, Reg::x20, Reg::sp, -32);
  enc_.emit_load_store_pair(PairOp::Stp, Index::Offset, Reg::x21, Reg::x22, Reg::sp, 16);
  if (tracking()) {
    // call_depth += 1; max_depth = max(max_depth, call_depth); the live range grows down.
    enc_.emit_load_store_unsigned_offset(MemOp::LdrW, kScratch1, kStateReg, depth);
    enc_.emit_addsub_immediate(AddSubOp::Add, false, Size::W32, kScratch1, kScratch1, 1);
    enc_.emit_load_store_unsigned_offset(MemOp::StrW, kScratch1, kStateReg, depth);
    enc_.emit_load_store_unsigned_offset(MemOp::LdrW, kScratch2, kStateReg, run_state::kMaxDepth);
    enc_.emit_addsub_shifted_register(AddSubOp::Sub, true, Size::W32, Reg::zr, kScratch1,
                                      kScratch2);
    enc_.emit_conditional_select(CondSelectOp::Csel, Size::W32, kScratch2, kScratch1, kScratch2,
                                 Cond::HI);
    enc_.emit_load_store_unsigned_offset(MemOp::StrW, kScratch2, kStateReg, run_state::kMaxDepth);
    enc_.emit_load_store_pair(PairOp::Ldp, Index::Offset, kScratch1, kScratch2, kStateReg,
                              run_state::kLiveStackBegin);
    enc_.emit_addsub_immediate(AddSubOp::Sub, false, Size::X64, kScratch1, kScratch1, kStackSize);
    enc_.emit_addsub_immediate(AddSubOp::Add, false, Size::X64, kScratch2, kScratch2, kStackSize);
    enc_.emit_load_store_pair(PairOp::Stp, Index::Offset, kScratch1, kScratch2, kStateReg,
                              run_state::kLiveStackBegin);
  }
  const Reg fp = ebpf_reg(kFrameRegister);
  enc_.emit_addsub_immediate(AddSubOp::Sub, false, Size::X64, fp, fp, kStackSize);
  const Label after = code().new_label();
  enc_.emit_adr(kLinkReg, after);
  enc_.emit_load_store_immediate_indexed(MemOp::StrX, Index::PreIndex, kLinkReg, Reg::sp, -16);
  if (indirect) {
    enc_.emit_br(kScratch0);
  } else {
    enc_.emit_b(target);
  }
  code().bind(after);
  enc_.emit_addsub_immediate(AddSubOp::Add, false, Size::X64, fp, fp, kStackSize);
  if (tracking()) {
    enc_.emit_load_store_unsigned_offset(MemOp::LdrW, kScratch1, kStateReg, depth);
    enc_.emit_addsub_immediate(AddSubOp::Sub, false, Size::W32, kScratch1, kScratch1, 1);
    enc_.emit_load_store_unsigned_offset(MemOp::StrW, kScratch1, kStateReg, depth);
    enc_.emit_load_store_pair(PairOp::Ldp, Index::Offset, kScratch1, kScratch2, kStateReg,
                              run_state::kLiveStackBegin);
    enc_.emit_addsub_immediate(AddSubOp::Add, false, Size::X64, kScratch1, kScratch1, kStackSize);
    enc_.emit_addsub_immediate(AddSubOp::Sub, false, Size::X64, kScratch2, kScratch2, kStackSize);
    enc_.emit_load_store_pair(PairOp::Stp, Index::Offset, kScratch1, kScratch2, kStateReg,
                              run_state::kLiveStackBegin);
  }
  enc_.emit_load_store_pair(PairOp::Ldp, Index::Offset, Reg::x21, Reg::x22, Reg::sp, 16);
  enc_.emit_load_store_pair(PairOp::Ldp, Index::PostIndex, Reg::x19, Reg::x20, Reg::sp, 32);
}

}  // namespace nicsim::jit::a64
