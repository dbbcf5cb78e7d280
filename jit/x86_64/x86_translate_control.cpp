// Jumps, calls (helpers, bpf-to-bpf, callx, tail calls) and their bookkeeping.

#include <fmt/format.h>

#include "ebpf/runtime/helpers.h"
#include "jit/common/jit_error.h"
#include "jit/common/run_state.h"
#include "jit/x86_64/x86_translator.h"

namespace nicsim::jit::x86 {

using namespace ebpf;  // opcode constants

namespace {

Cond condition(uint8_t op) {
  switch (op) {
    case kJmpJeq:
      return Cond::E;
    case kJmpJne:
      return Cond::NE;
    case kJmpJset:
      return Cond::NE;
    case kJmpJgt:
      return Cond::A;
    case kJmpJge:
      return Cond::AE;
    case kJmpJlt:
      return Cond::B;
    case kJmpJle:
      return Cond::BE;
    case kJmpJsgt:
      return Cond::G;
    case kJmpJsge:
      return Cond::GE;
    case kJmpJslt:
      return Cond::L;
    default:
      return Cond::LE;  // kJmpJsle
  }
}

const Mem kCallDepth{kStateReg, run_state::kCallDepth};
const Mem kMaxDepth{kStateReg, run_state::kMaxDepth};
const Mem kLiveBegin{kStateReg, run_state::kLiveStackBegin};
const Mem kLiveSize{kStateReg, run_state::kLiveStackSize};

}  // namespace

void X86Translator::translate_jump(size_t slot, const Insn& insn) {
  const Label target =
      insn_labels_.at(static_cast<size_t>(static_cast<int64_t>(slot) + insn.branch_offset() + 1));
  if (insn.op() == kJmpJa) {
    enc_.jmp(target);
    return;
  }
  const bool is32 = insn.cls() == kClassJmp32;
  const Width w = is32 ? Width::W32 : Width::W64;
  const Reg dst = ebpf_reg(insn.dst());
  const bool test = insn.op() == kJmpJset;
  if (insn.source() == kSrcX || options_.harden) {
    Reg other = kScratch0;
    if (insn.source() == kSrcX) {
      other = ebpf_reg(insn.src());
    } else {
      materialize_imm(kScratch0, insn.imm, !is32, slot);
    }
    if (test) {
      enc_.test_reg_reg(w, dst, other);
    } else {
      enc_.alu_reg_reg(AluOp::Cmp, w, dst, other);
    }
  } else if (test) {
    enc_.test_reg_imm(w, dst, insn.imm);
  } else if (insn.imm == 0) {
    enc_.test_reg_reg(w, dst, dst);  // the same flags as cmp dst, 0
  } else {
    enc_.alu_reg_imm(AluOp::Cmp, w, dst, insn.imm);  // 64-bit: imm sign-extends, as in eBPF
  }
  enc_.jcc(condition(insn.op()), target);
}

void X86Translator::translate_call(size_t slot, const Insn& insn) {
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
  enc_.movabs_reg_imm64(kScratch0, reinterpret_cast<uint64_t>(info->function));
  if (!helper_stub_.valid()) helper_stub_ = code_.new_label();
  enc_.call(helper_stub_);
}

// A bpf-to-bpf call: the caller keeps r6..r9 (callee-saved in eBPF) on the native stack and
// gives the callee the next 512-byte frame. `indirect` calls the address in r11.
void X86Translator::emit_local_call(size_t slot, Label target, bool indirect) {
  if (tracking_) {
    const Label cold = code_.new_label();
    cold_paths_.push_back(
        ColdPath{cold, slow_path::FaultKind::CallDepth, static_cast<uint32_t>(slot), 0});
    enc_.alu_mem_imm(AluOp::Cmp, Width::W32, kCallDepth, kMaxCallDepth - 1);
    enc_.jcc(Cond::AE, cold);
  }
  for (Reg r : {Reg::rbx, Reg::r13, Reg::r14, Reg::r15})
    enc_.push(r);
  enc_.alu_reg_imm(AluOp::Sub, Width::W64, Reg::rsp, 8);  // keeps rsp 8 mod 16 in the callee
  if (tracking_) {
    enc_.alu_mem_imm(AluOp::Add, Width::W32, kCallDepth, 1);
    const Label not_deeper = code_.new_label();
    enc_.load(Width::W32, kScratch1, kCallDepth);
    enc_.alu_reg_mem(AluOp::Cmp, Width::W32, kScratch1, kMaxDepth);
    enc_.jcc(Cond::BE, not_deeper);
    enc_.store(Width::W32, kMaxDepth, kScratch1);
    code_.bind(not_deeper);
    enc_.alu_mem_imm(AluOp::Sub, Width::W64, kLiveBegin, kStackSize);
    enc_.alu_mem_imm(AluOp::Add, Width::W64, kLiveSize, kStackSize);
  }
  enc_.alu_reg_imm(AluOp::Sub, Width::W64, Reg::rbp, kStackSize);
  if (indirect) {
    enc_.call_reg(kScratch0);
  } else {
    enc_.call(target);
  }
  enc_.alu_reg_imm(AluOp::Add, Width::W64, Reg::rbp, kStackSize);
  if (tracking_) {
    enc_.alu_mem_imm(AluOp::Sub, Width::W32, kCallDepth, 1);
    enc_.alu_mem_imm(AluOp::Add, Width::W64, kLiveBegin, kStackSize);
    enc_.alu_mem_imm(AluOp::Sub, Width::W64, kLiveSize, kStackSize);
  }
  enc_.alu_reg_imm(AluOp::Add, Width::W64, Reg::rsp, 8);
  for (Reg r : {Reg::r15, Reg::r14, Reg::r13, Reg::rbx})
    enc_.pop(r);
}

// bpf_tail_call(ctx, map, index): jump to the target program's first instruction with every
// register as it is (the frame is reused), or go on with r0 = errno.
void X86Translator::emit_tail_call() {
  if (!tail_call_stub_.valid()) tail_call_stub_ = code_.new_label();
  enc_.call(tail_call_stub_);
  const Label fall_through = code_.new_label();
  enc_.test_reg_reg(Width::W64, kScratch0, kScratch0);
  enc_.jcc(Cond::E, fall_through);
  enc_.jmp_reg(kScratch0);
  code_.bind(fall_through);
  enc_.load(Width::W64, Reg::rax, Mem{kStateReg, run_state::kValue});
}

void X86Translator::translate_callx(size_t slot, const Insn& insn) {
  enc_.mov_reg_reg(Width::W64, kScratch0, ebpf_reg(insn.dst()));
  if (!callx_stub_.valid()) callx_stub_ = code_.new_label();
  enc_.call(callx_stub_);
  const Label not_local = code_.new_label();
  const Label tail_call = code_.new_label();
  const Label done = code_.new_label();
  enc_.alu_reg_imm(AluOp::Cmp, Width::W32, kScratch0, static_cast<int32_t>(slow_path::kCallxLocal));
  enc_.jcc(Cond::NE, not_local);
  enc_.load(Width::W64, kScratch0, Mem{kStateReg, run_state::kValue});
  emit_local_call(slot, Label{}, true);
  enc_.jmp(done);
  code_.bind(not_local);
  enc_.alu_reg_imm(AluOp::Cmp, Width::W32, kScratch0,
                   static_cast<int32_t>(slow_path::kCallxHelper));
  enc_.jcc(Cond::NE, tail_call);
  enc_.load(Width::W64, kScratch0, Mem{kStateReg, run_state::kHelper});
  if (!helper_stub_.valid()) helper_stub_ = code_.new_label();
  enc_.call(helper_stub_);
  enc_.jmp(done);
  code_.bind(tail_call);
  emit_tail_call();
  code_.bind(done);
}

}  // namespace nicsim::jit::x86
