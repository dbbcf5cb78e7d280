// Loads, stores, atomics, lddw and the legacy packet loads. An access is emitted as a plain
// machine access when it is known safe (r10-relative inside the frame, or proven by the
// verifier's facts); otherwise its address goes to a check stub first (checked code).
//
// Atomics are ARMv8.0 exclusive pairs (LDAXR/STLXR loops), which every AArch64 core has;
// LSE atomics (ARMv8.1) would be shorter but not universal. Exclusives fault on a misaligned
// address, which eBPF (and the interpreter) allows, so a misaligned address takes a plain
// load-modify-store instead: an invocation runs on one thread, with nothing to race against.

#include <fmt/format.h>

#include <vector>

#include "ebpf/runtime/xdp.h"
#include "jit/arm64/a64_translator.h"
#include "jit/common/jit_error.h"

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

bool A64Translator::statically_in_frame(int base_reg, int16_t offset, int size) const {
  return base_reg == kFrameRegister && offset >= -kStackSize && offset + size <= 0;
}

bool A64Translator::proven_safe(size_t slot) const {
  return options_.mode == SafetyMode::Verified && facts_ != nullptr &&
         slot < facts_->insns.size() && facts_->insns[slot].access_safe;
}

PointerKind A64Translator::proven_base(size_t slot) const {
  if (options_.mode != SafetyMode::Verified || facts_ == nullptr || slot >= facts_->insns.size())
    return PointerKind::Unknown;
  return facts_->insns[slot].base;
}

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

void A64Translator::translate_load(size_t slot, const Insn& insn) {
  const int size = access_bytes(insn.size());
  const bool sign_extend = insn.mode() == kModeMemsx;
  const Reg dst = ebpf_reg(insn.dst());
  const Reg base = ebpf_reg(insn.src());
  if (proven_base(slot) == PointerKind::Context) {
    // The kernel's convert_ctx_access: the xdp_md field becomes a load from the shadow.
    const ContextField* field = sign_extend ? nullptr : find_xdp_context_field(insn.offset, size);
    if (field == nullptr)
      throw JitError(fmt::format("insn {}: invalid {}read of {} bytes at xdp_md{:+d}", slot,
                                 sign_extend ? "sign-extending " : "", size, insn.offset));
    emit_access(field->shadow_size == 8 ? MemOp::LdrX : MemOp::LdrW, dst, base,
                static_cast<int32_t>(field->shadow_offset));
    return;
  }
  if (statically_in_frame(insn.src(), insn.offset, size) || proven_safe(slot)) {
    emit_access(load_op(size, sign_extend), dst, base, insn.offset);
    return;
  }
  add_offset(kScratch0, base, insn.offset);
  enc_.emit_bl(load_stub(size, sign_extend));
  enc_.emit_mov_register(Size::X64, dst, kScratch0);  // the stub extends the value
}

void A64Translator::translate_store(size_t slot, const Insn& insn) {
  const int size = access_bytes(insn.size());
  if (proven_base(slot) == PointerKind::Context)
    throw JitError(
        fmt::format("insn {}: invalid write of {} bytes at xdp_md{:+d}: the context is "
                    "read-only",
                    slot, size, insn.offset));
  const bool direct = statically_in_frame(insn.dst(), insn.offset, size) || proven_safe(slot);
  const Reg base = ebpf_reg(insn.dst());
  if (!direct) {
    add_offset(kScratch0, base, insn.offset);
    enc_.emit_bl(store_stub(size));
  }
  // The value, after the check stub (which may clobber the other scratch registers).
  Reg value = Reg::zr;
  if (insn.cls() == kClassStx) {
    value = ebpf_reg(insn.src());
  } else if (insn.imm != 0 || options_.harden) {
    value = kScratch2;
    materialize(Size::X64, value, static_cast<uint64_t>(static_cast<int64_t>(insn.imm)), slot);
  }
  if (direct) {
    emit_access(store_op(size), value, base, insn.offset);
  } else {
    enc_.emit_load_store_unsigned_offset(store_op(size), value, kScratch0, 0);
  }
}

void A64Translator::translate_atomic(size_t slot, const Insn& insn) {
  const int size = access_bytes(insn.size());
  const bool fetch = (insn.imm & kAtomicFetch) != 0;
  // Fetching forms write the old value into src (cmpxchg into r0).
  if (fetch && insn.imm != kAtomicCmpxchg && insn.src() == kFrameRegister)
    throw JitError(
        fmt::format("insn {}: atomic fetch would write the read-only frame pointer r10", slot));
  if (proven_base(slot) == PointerKind::Context)
    throw JitError(
        fmt::format("insn {}: invalid write of {} bytes at xdp_md{:+d}: the context is "
                    "read-only",
                    slot, size, insn.offset));
  add_offset(kScratch0, ebpf_reg(insn.dst()), insn.offset);
  if (!statically_in_frame(insn.dst(), insn.offset, size) && !proven_safe(slot))
    enc_.emit_bl(store_stub(size));
  const Size width = size == 8 ? Size::X64 : Size::W32;
  const Label misaligned = code_.new_label();
  const Label done = code_.new_label();
  enc_.emit_logical_immediate(LogicalOp::Ands, Size::X64, Reg::zr, kScratch0,
                              static_cast<uint64_t>(size - 1));  // tst
  enc_.emit_b_cond(Cond::NE, misaligned);
  emit_atomic_body(insn, width, true);
  enc_.emit_b(done);
  code_.bind(misaligned);
  emit_atomic_body(insn, width, false);
  code_.bind(done);
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
  const Label retry = code_.new_label();
  code_.bind(retry);
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
      const Label mismatch = code_.new_label();
      const Label out = code_.new_label();
      enc_.emit_addsub_shifted_register(AddSubOp::Sub, true, size, Reg::zr, old_value, r0);
      enc_.emit_b_cond(Cond::NE, mismatch);
      store_and_retry(src);
      enc_.emit_b(out);
      code_.bind(mismatch);
      if (exclusive) enc_.emit_clrex();
      code_.bind(out);
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

void A64Translator::translate_lddw(size_t slot, const Insn& insn) {
  const Insn& next = program_.insns[slot + 1];
  const Reg dst = ebpf_reg(insn.dst());
  const auto low = static_cast<uint32_t>(insn.imm);
  const auto high = static_cast<uint32_t>(next.imm);
  uint64_t value = 0;
  switch (insn.src()) {
    case kLddwImm64:
      materialize(Size::X64, dst, (uint64_t{high} << 32) | low, slot);
      return;
    case kLddwMapFd:
    case kLddwMapIdx:
    case kLddwMapValue:
    case kLddwMapIdxValue: {
      if (low >= runtime_.map_count())
        throw JitError(fmt::format("insn {}: lddw refers to map {} but the object has {} map(s)",
                                   slot, low, runtime_.map_count()));
      if (insn.src() == kLddwMapFd || insn.src() == kLddwMapIdx) {
        value = runtime_.map_pointer(low);
        break;
      }
      // The value of the map's key 0 (array and global data maps), which never moves.
      Map& map = runtime_.map(low);
      const MapDefinition& def = map.def();
      const std::vector<uint8_t> zero_key(def.key_size, 0);
      void* data = map.lookup(zero_key.data());
      if (data == nullptr)
        throw JitError(fmt::format("insn {}: map '{}' has no value at key 0 for lddw map_value",
                                   slot, def.name));
      if (high >= def.value_size)
        throw JitError(fmt::format("insn {}: offset {} is outside the {}-byte value of map '{}'",
                                   slot, high, def.value_size, def.name));
      value = reinterpret_cast<uint64_t>(data) + high;
      break;
    }
    case kLddwBtfId:
      // As the interpreter: the program runs until it reaches this instruction.
      emit_fault(slow_path::FaultKind::LddwBtf, slot, 0);
      return;
    case kLddwFunc: {
      const int64_t target = static_cast<int64_t>(slot) + insn.imm + 1;
      const auto& insns = program_.insns;
      const bool inside = target >= 0 && target < static_cast<int64_t>(insns.size());
      if (!inside || second_slots_[static_cast<size_t>(target)])
        throw JitError(fmt::format(
            "insn {}: lddw function address: target insn {} is not an instruction", slot, target));
      // Position-independent, +-4 GiB: the code is placed at a page-aligned address.
      enc_.emit_adrp(dst, insn_labels_[static_cast<size_t>(target)]);
      enc_.emit_add_lo12(dst, dst, insn_labels_[static_cast<size_t>(target)]);
      return;
    }
    default:
      throw JitError(fmt::format("insn {}: invalid lddw source {}", slot, insn.src()));
  }
  enc_.emit_mov_constant(Size::X64, dst, value);
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
  enc_.emit_bl(stub(legacy_stub_));
}

}  // namespace nicsim::jit::a64
