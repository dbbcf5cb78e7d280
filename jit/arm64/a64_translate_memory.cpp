// Loads, stores, atomics and the legacy packet loads. The shared translator decides whether an
// access is plain (r10-relative inside the frame, or proven safe by the verifier's facts) or
// goes through a check stub first, which leaves the checked address in x9.
//
// Atomics are ARMv8.0 exclusive pairs (LDAXR/STLXR loops), which every AArch64 core has;
// LSE atomics (ARMv8.1) would be shorter but not universal. Exclusives fault on a misaligned
// address, which eBPF (and the interpreter) allows, so a misaligned address takes a plain
// load-modify-store instead: an invocation runs on one thread, with nothing to race against.

#include "jit/arm64/a64_translator.h"

namespace nicsim::jit::a64 {

using namespace ebpf;  // opcode constants

namespace {

MemOp load_op(int size, bool sign_extend) {
  switch (size) {
    case 1:
      return sign_extend ? MemOp::LdrsbX : MemOp::Ldrb;
    case 2:
      return sign_extend ? MemOp::LdrshX : MemOp::Ldrh;
    case 4:
      return sign_extend ? MemOp::LdrswX : MemOp::LdrW;
    default:
      return MemOp::LdrX;
  }
}

MemOp store_op(int size) {
  return size == 1 ? MemOp::Strb : size == 2 ? MemOp::Strh : size == 4 ? MemOp::StrW : MemOp::StrX;
}

LogicalOp atomic_logical_op(int32_t imm) {
  switch (imm & ~kAtomicFetch) {
    case kAtomicOr:
      return LogicalOp::Orr;
    case kAtomicAnd:
      return LogicalOp::And;
    default:
      return LogicalOp::Eor;
  }
}

}  // namespace

void A64Translator::emit_access(MemOp op, Reg rt, Reg base, int32_t offset) {
  const int size = access_size(op);
  if (offset >= 0 && offset % size == 0 && offset / size <= 0xfff) {
    enc_.emit_load_store_unsigned_offset(op, rt, base, static_cast<uint32_t>(offset));
  } else if (offset >= -256 && offset <= 255) {
    enc_.emit_load_store_unscaled(op, rt, base, offset);
  } else {
    enc_.emit_mov_constant(Size::X64, kScratch1, static_cast<uint64_t>(int64_t{offset}));
    enc_.emit_load_store_register_offset(op, rt, base, kScratch1);
  }
}

void A64Translator::emit_plain_load(int dst, int base, int32_t offset, int size, bool sign_extend) {
  emit_access(load_op(size, sign_extend), ebpf_reg(dst), ebpf_reg(base), offset);
}

void A64Translator::emit_checked_load_result(int dst, int, bool) {
  enc_.emit_mov_register(Size::X64, ebpf_reg(dst), kScratch0);  // the stub extends the value
}

void A64Translator::emit_store(size_t slot, const Insn& insn, bool direct) {
  // The value, after the check stub (which may clobber the other scratch registers).
  Reg value = Reg::zr;
  if (insn.cls() == kClassStx) {
    value = ebpf_reg(insn.src());
  } else if (insn.imm != 0 || hardening()) {
    value = kScratch2;
    materialize(Size::X64, value, static_cast<uint64_t>(static_cast<int64_t>(insn.imm)), slot);
  }
  const MemOp op = store_op(access_bytes(insn.size()));
  if (direct) {
    emit_access(op, value, ebpf_reg(insn.dst()), insn.offset);
  } else {
    enc_.emit_load_store_unsigned_offset(op, value, kScratch0, 0);
  }
}

void A64Translator::emit_atomic(size_t, const Insn& insn, bool direct) {
  const int size = access_bytes(insn.size());
  add_offset(kScratch0, ebpf_reg(insn.dst()), insn.offset);
  if (!direct) emit_stub_call(store_stub(size));
  const Size width = size == 8 ? Size::X64 : Size::W32;
  const Label misaligned = code().new_label();
  const Label done = code().new_label();
  enc_.emit_logical_immediate(LogicalOp::Ands, Size::X64, Reg::zr, kScratch0,
                              static_cast<uint64_t>(size - 1));  // tst
  enc_.emit_b_cond(Cond::NE, misaligned);
  emit_atomic_body(insn, width, true);
  enc_.emit_b(done);
  code().bind(misaligned);
  emit_atomic_body(insn, width, false);
  code().bind(done);
}

// On [x9]: old value in x10, new value in x11, exclusive-store status in w12.
void A64Translator::emit_atomic_body(const Insn& insn, Size size, bool exclusive) {
  const Reg src = ebpf_reg(insn.src());
  const Reg old_value = kScratch1;
  const Reg new_value = kScratch2;
  const Reg status = kScratch3;
  const Reg r0 = ebpf_reg(0);
  const MemOp load = size == Size::X64 ? MemOp::LdrX : MemOp::LdrW;
  const MemOp store = size == Size::X64 ? MemOp::StrX : MemOp::StrW;
  const Label retry = code().new_label();
  code().bind(retry);
  if (exclusive) {
    enc_.emit_ldaxr(size, old_value, kScratch0);
  } else {
    enc_.emit_load_store_unsigned_offset(load, old_value, kScratch0, 0);
  }
  auto store_and_retry = [&](Reg value) {
    if (exclusive) {
      enc_.emit_stlxr(size, status, value, kScratch0);
      enc_.emit_cbnz(Size::W32, status, retry);
    } else {
      enc_.emit_load_store_unsigned_offset(store, value, kScratch0, 0);
    }
  };
  switch (insn.imm) {
    case kAtomicXchg:
      store_and_retry(src);
      break;
    case kAtomicCmpxchg: {
      // Stores src only when the memory equals r0; r0 gets the old value either way.
      const Label mismatch = code().new_label();
      const Label out = code().new_label();
      enc_.emit_addsub_shifted_register(AddSubOp::Sub, true, size, Reg::zr, old_value, r0);
      enc_.emit_b_cond(Cond::NE, mismatch);
      store_and_retry(src);
      enc_.emit_b(out);
      code().bind(mismatch);
      if (exclusive) enc_.emit_clrex();
      code().bind(out);
      enc_.emit_mov_register(size, r0, old_value);
      return;
    }
    default:
      if ((insn.imm & ~kAtomicFetch) == kAtomicAdd) {
        enc_.emit_addsub_shifted_register(AddSubOp::Add, false, size, new_value, old_value, src);
      } else {
        enc_.emit_logical_shifted_register(atomic_logical_op(insn.imm), false, size, new_value,
                                           old_value, src);
      }
      store_and_retry(new_value);
      break;
  }
  if ((insn.imm & kAtomicFetch) != 0) {
    // Fetching atomics are fully ordered in the kernel's memory model (its arm64 JIT ends
    // them with the same barrier).
    if (exclusive) enc_.emit_dmb_ish();
    enc_.emit_mov_register(size, src, old_value);
  }
}

void A64Translator::translate_legacy_load(const Insn& insn) {
  // The packet offset, as the interpreter computes it: imm, or (int32)(src + imm).
  const auto imm = static_cast<uint64_t>(static_cast<int64_t>(insn.imm));
  if (insn.mode() == kModeAbs) {
    enc_.emit_mov_constant(Size::X64, kScratch0, imm);
  } else {
    enc_.emit_mov_constant(Size::X64, kScratch0, imm);
    enc_.emit_addsub_shifted_register(AddSubOp::Add, false, Size::X64, kScratch0,
                                      ebpf_reg(insn.src()), kScratch0);
    enc_.emit_bitfield(BitfieldOp::Sbfm, Size::X64, kScratch0, kScratch0, 0, 31);  // sxtw
  }
  enc_.emit_movz(Size::X64, kScratch1, static_cast<uint16_t>(access_bytes(insn.size())));
  emit_stub_call(stub(Stub::LegacyLoad));
}

}  // namespace nicsim::jit::a64
