// Loads, stores, atomics and the legacy packet loads. The shared translator decides whether an
// access is plain (r10-relative inside the frame, or proven safe by the verifier's facts) or
// goes through a check stub first, which leaves the checked address in r11.

#include "jit/x86_64/x86_translator.h"

namespace nicsim::jit::x86 {

using namespace ebpf;  // opcode constants

namespace {

AluOp atomic_op(int32_t imm) {
  switch (imm & ~kAtomicFetch) {
    case kAtomicAdd:
      return AluOp::Add;
    case kAtomicOr:
      return AluOp::Or;
    case kAtomicAnd:
      return AluOp::And;
    default:
      return AluOp::Xor;
  }
}

}  // namespace

void X86Translator::emit_plain_load(int dst, int base, int32_t offset, int size, bool sign_extend) {
  const Mem source{ebpf_reg(base), offset};
  if (sign_extend) {
    enc_.load_sign_extend(width_of_bytes(size), ebpf_reg(dst), source);
  } else {
    enc_.load_zero_extend(width_of_bytes(size), ebpf_reg(dst), source);
  }
}

void X86Translator::emit_checked_load_result(int dst, int size, bool sign_extend) {
  if (sign_extend) {
    enc_.movsx_reg(width_of_bytes(size), Width::W64, ebpf_reg(dst), kScratch0);
  } else {
    enc_.mov_reg_reg(Width::W64, ebpf_reg(dst), kScratch0);  // the stub zero-extends
  }
}

void X86Translator::emit_store(size_t slot, const Insn& insn, bool direct) {
  const Width width = width_of_bytes(access_bytes(insn.size()));
  const Mem target = direct ? Mem{ebpf_reg(insn.dst()), insn.offset} : Mem{kScratch0, 0};
  if (insn.cls() == kClassStx) {
    enc_.store(width, target, ebpf_reg(insn.src()));
  } else if (hardening()) {
    materialize_imm(kScratch1, insn.imm, true, slot);
    enc_.store(width, target, kScratch1);
  } else {
    enc_.store_imm(width, target, insn.imm);
  }
}

void X86Translator::emit_atomic(size_t, const Insn& insn, bool direct) {
  const int size = access_bytes(insn.size());
  const Width w = width_of_bytes(size);
  const Reg src = ebpf_reg(insn.src());
  Mem target{ebpf_reg(insn.dst()), insn.offset};
  if (!direct) {
    emit_address_to_scratch(insn.dst(), insn.offset);
    emit_stub_call(store_stub(size));
    target = Mem{kScratch0, 0};
  }
  switch (insn.imm) {
    case kAtomicAdd:
    case kAtomicOr:
    case kAtomicAnd:
    case kAtomicXor:
      enc_.lock_alu_mem_reg(atomic_op(insn.imm), w, target, src);
      return;
    case kAtomicAdd | kAtomicFetch:
      enc_.lock_xadd(w, target, src);  // a 32-bit xadd zero-extends src
      return;
    case kAtomicXchg:
      enc_.xchg_mem_reg(w, target, src);
      return;
    case kAtomicCmpxchg:
      enc_.lock_cmpxchg(w, target, src);
      // On success a 32-bit cmpxchg leaves rax's upper half; r0 must be the zero-extended old
      // value.
      if (w == Width::W32) enc_.mov_reg_reg(Width::W32, Reg::rax, Reg::rax);
      return;
    default: {
      // Fetching or/and/xor: a compare-exchange loop through rax (r0, saved on the stack).
      if (target.base == Reg::rax) {
        enc_.lea(kScratch0, target);
        target = Mem{kScratch0, 0};
      }
      enc_.mov_reg_reg(Width::W64, kScratch2, src);
      enc_.push(Reg::rax);
      enc_.load(w, Reg::rax, target);
      const Label retry = code().new_label();
      code().bind(retry);
      enc_.mov_reg_reg(Width::W64, kScratch1, Reg::rax);
      enc_.alu_reg_reg(atomic_op(insn.imm), w, kScratch1, kScratch2);
      enc_.lock_cmpxchg(w, target, kScratch1);
      enc_.jcc(Cond::NE, retry);
      enc_.mov_reg_reg(w, src, Reg::rax);
      if (src == Reg::rax) {
        enc_.alu_reg_imm(AluOp::Add, Width::W64, Reg::rsp, 8);
      } else {
        enc_.pop(Reg::rax);
      }
      return;
    }
  }
}

void X86Translator::translate_legacy_load(const Insn& insn) {
  // The packet offset, as the interpreter computes it: imm, or (int32)(src + imm).
  if (insn.mode() == kModeAbs) {
    enc_.load_constant(kScratch0, static_cast<uint64_t>(static_cast<int64_t>(insn.imm)));
  } else {
    enc_.mov_reg_reg(Width::W64, kScratch0, ebpf_reg(insn.src()));
    enc_.alu_reg_imm(AluOp::Add, Width::W64, kScratch0, insn.imm);
    enc_.movsx_reg(Width::W32, Width::W64, kScratch0, kScratch0);
  }
  enc_.mov_reg_imm32(kScratch1, static_cast<uint32_t>(access_bytes(insn.size())));
  enc_.call(stub(Stub::LegacyLoad));
}

}  // namespace nicsim::jit::x86
