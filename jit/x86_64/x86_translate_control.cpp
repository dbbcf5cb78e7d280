// Conditional jumps and bpf-to-bpf calls with their bookkeeping (the shared translator
// resolves helpers, tail calls and callx).

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

void X86Translator::emit_conditional_jump(size_t slot, const Insn& insn, Label target) {
  const bool is32 = insn.cls() == kClassJmp32;
  const Width w = is32 ? Width::W32 : Width::W64;
  const Reg dst = ebpf_reg(insn.dst());
  const bool test = insn.op() == kJmpJset;
  if (insn.source() == kSrcX || hardening()) {
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

// A bpf-to-bpf call: the caller keeps r6..r9 (callee-saved in eBPF) on the native stack and
// gives the callee the next 512-byte frame. `indirect` calls the address in r11.
void X86Translator::emit_local_call(size_t slot, Label target, bool indirect) {
  if (tracking()) {
    const Label cold = cold_path(slow_path::FaultKind::CallDepth, slot, 0);
    enc_.alu_mem_imm(AluOp::Cmp, Width::W32, kCallDepth, kMaxCallDepth - 1);
    enc_.jcc(Cond::AE, cold);
  }
  for (Reg r : {Reg::rbx, Reg::r13, Reg::r14, Reg::r15})
    enc_.push(r);
  enc_.alu_reg_imm(AluOp::Sub, Width::W64, Reg::rsp, 8);  // keeps rsp 8 mod 16 in the callee
  if (tracking()) {
    enc_.alu_mem_imm(AluOp::Add, Width::W32, kCallDepth, 1);
    const Label not_deeper = code().new_label();
    enc_.load(Width::W32, kScratch1, kCallDepth);
    enc_.alu_reg_mem(AluOp::Cmp, Width::W32, kScratch1, kMaxDepth);
    enc_.jcc(Cond::BE, not_deeper);
    enc_.store(Width::W32, kMaxDepth, kScratch1);
    code().bind(not_deeper);
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
  if (tracking()) {
    enc_.alu_mem_imm(AluOp::Sub, Width::W32, kCallDepth, 1);
    enc_.alu_mem_imm(AluOp::Add, Width::W64, kLiveBegin, kStackSize);
    enc_.alu_mem_imm(AluOp::Sub, Width::W64, kLiveSize, kStackSize);
  }
  enc_.alu_reg_imm(AluOp::Add, Width::W64, Reg::rsp, 8);
  for (Reg r : {Reg::r15, Reg::r14, Reg::r13, Reg::rbx})
    enc_.pop(r);
}

}  // namespace nicsim::jit::x86
