// Jumps, exits, calls (helpers, bpf-to-bpf, callx, tail calls) and their bookkeeping.

#include <fmt/format.h>

#include "ebpf/runtime/helpers.h"
#include "jit/arm64/a64_translator.h"
#include "jit/common/jit_error.h"
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

void A64Translator::translate_jump(size_t slot, const Insn& insn) {
  const Label target =
      insn_labels_.at(static_cast<size_t>(static_cast<int64_t>(slot) + insn.branch_offset() + 1));
  if (insn.op() == kJmpJa) {
    enc_.emit_b(target);
    return;
  }
  const bool is32 = insn.cls() == kClassJmp32;
  const Size size = is32 ? Size::W32 : Size::X64;
  const Reg dst = ebpf_reg(insn.dst());
  const bool test = insn.op() == kJmpJset;
  // The immediate as the comparison sees it (64-bit: sign-extended, as in eBPF).
  const uint64_t value = is32 ? static_cast<uint32_t>(insn.imm)
                              : static_cast<uint64_t>(static_cast<int64_t>(insn.imm));
  const int64_t imm = insn.imm;
  if (insn.source() == kSrcK && !options_.harden && test && encode_bitmask_immediate(value, size)) {
    enc_.emit_logical_immediate(LogicalOp::Ands, size, Reg::zr, dst, value);  // tst
  } else if (insn.source() == kSrcK && !options_.harden && !test && imm >= 0 && imm <= 0xfff) {
    enc_.emit_addsub_immediate(AddSubOp::Sub, true, size, Reg::zr, dst,
                               static_cast<uint32_t>(imm));  // cmp
  } else if (insn.source() == kSrcK && !options_.harden && !test && imm < 0 && imm >= -0xfff) {
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

void A64Translator::emit_exit() {
  // Pops the return address its caller pushed.
  enc_.emit_load_store_immediate_indexed(MemOp::LdrX, Index::PostIndex, kLinkReg, Reg::sp, 16);
  enc_.emit_ret();
}

void A64Translator::translate_call(size_t slot, const Insn& insn) {
  if (insn.src() == kCallLocal) {
    emit_local_call(slot,
                    insn_labels_.at(static_cast<size_t>(static_cast<int64_t>(slot) + insn.imm + 1)),
                    false);
    return;
  }
  if (insn.src() == kCallKfunc)
    throw JitError(
        fmt::format("insn {}: kfunc call (BTF id {}) is not supported by nicsim", slot, insn.imm));
  const int32_t id = insn.imm;
  if (id == kHelperTailCall) {
    emit_tail_call();
    return;
  }
  const HelperInfo* info = find_helper(id);
  if (info == nullptr || info->function == nullptr) {
    const std::string_view name = helper_name(id);
    if (name.empty()) throw JitError(fmt::format("insn {}: call to unknown helper {}", slot, id));
    throw JitError(
        fmt::format("insn {}: helper {} ({}) is not implemented by nicsim", slot, id, name));
  }
  // The helper's host address is data for the slow path, which calls it; generated code never
  // branches there (under emulation it is not AArch64 code).
  enc_.emit_mov_constant(Size::X64, kScratch0, reinterpret_cast<uint64_t>(info->function));
  enc_.emit_bl(stub(helper_stub_));
}

// A bpf-to-bpf call: the caller keeps r6..r9 (callee-saved in eBPF) on the native stack, gives
// the callee the next 512-byte frame and pushes the return address. `indirect` calls the
// address in x9.
void A64Translator::emit_local_call(size_t slot, Label target, bool indirect) {
  const int32_t depth = run_state::kCallDepth;
  if (tracking_) {
    const Label cold = code_.new_label();
    cold_paths_.push_back(
        ColdPath{cold, slow_path::FaultKind::CallDepth, static_cast<uint32_t>(slot), 0});
    enc_.emit_load_store_unsigned_offset(MemOp::LdrW, kScratch1, kStateReg, depth);
    enc_.emit_addsub_immediate(AddSubOp::Sub, true, Size::W32, Reg::zr, kScratch1,
                               kMaxCallDepth - 1);
    enc_.emit_b_cond(Cond::HS, cold);
  }
  enc_.emit_load_store_pair(PairOp::Stp, Index::PreIndex, Reg::x19, Reg::x20, Reg::sp, -32);
  enc_.emit_load_store_pair(PairOp::Stp, Index::Offset, Reg::x21, Reg::x22, Reg::sp, 16);
  if (tracking_) {
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
  const Label after = code_.new_label();
  enc_.emit_adr(kLinkReg, after);
  enc_.emit_load_store_immediate_indexed(MemOp::StrX, Index::PreIndex, kLinkReg, Reg::sp, -16);
  if (indirect) {
    enc_.emit_br(kScratch0);
  } else {
    enc_.emit_b(target);
  }
  code_.bind(after);
  enc_.emit_addsub_immediate(AddSubOp::Add, false, Size::X64, fp, fp, kStackSize);
  if (tracking_) {
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

// bpf_tail_call(ctx, map, index): jump to the target program's first instruction with every
// register as it is (the frame is reused), or go on with r0 = errno.
void A64Translator::emit_tail_call() {
  enc_.emit_bl(stub(tail_call_stub_));
  const Label fall_through = code_.new_label();
  enc_.emit_cbz(Size::X64, kScratch0, fall_through);
  enc_.emit_br(kScratch0);
  code_.bind(fall_through);
  enc_.emit_load_store_unsigned_offset(MemOp::LdrX, ebpf_reg(0), kStateReg, run_state::kValue);
}

void A64Translator::translate_callx(size_t slot, const Insn& insn) {
  enc_.emit_mov_register(Size::X64, kScratch0, ebpf_reg(insn.dst()));
  enc_.emit_bl(stub(callx_stub_));
  const Label not_local = code_.new_label();
  const Label tail_call = code_.new_label();
  const Label done = code_.new_label();
  enc_.emit_addsub_immediate(AddSubOp::Sub, true, Size::X64, Reg::zr, kScratch0,
                             static_cast<uint32_t>(slow_path::kCallxLocal));
  enc_.emit_b_cond(Cond::NE, not_local);
  enc_.emit_load_store_unsigned_offset(MemOp::LdrX, kScratch0, kStateReg, run_state::kValue);
  emit_local_call(slot, Label{}, true);
  enc_.emit_b(done);
  code_.bind(not_local);
  enc_.emit_addsub_immediate(AddSubOp::Sub, true, Size::X64, Reg::zr, kScratch0,
                             static_cast<uint32_t>(slow_path::kCallxHelper));
  enc_.emit_b_cond(Cond::NE, tail_call);
  enc_.emit_load_store_unsigned_offset(MemOp::LdrX, kScratch0, kStateReg, run_state::kHelper);
  enc_.emit_bl(stub(helper_stub_));
  enc_.emit_b(done);
  code_.bind(tail_call);
  emit_tail_call();
  code_.bind(done);
}

}  // namespace nicsim::jit::a64
