// Loads, stores, atomics, lddw and the legacy packet loads. An access is emitted as a plain
// machine access when it is known safe (r10-relative inside the frame, or proven by the
// verifier's facts); otherwise its address goes to a check stub first (checked code).

#include <fmt/format.h>

#include <vector>

#include "ebpf/runtime/xdp.h"
#include "jit/common/jit_error.h"
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

bool X86Translator::statically_in_frame(int base_reg, int16_t offset, int size) const {
  return base_reg == kFrameRegister && offset >= -kStackSize && offset + size <= 0;
}

bool X86Translator::proven_safe(size_t slot) const {
  return options_.mode == SafetyMode::Verified && facts_ != nullptr &&
         slot < facts_->insns.size() && facts_->insns[slot].access_safe;
}

PointerKind X86Translator::proven_base(size_t slot) const {
  if (options_.mode != SafetyMode::Verified || facts_ == nullptr || slot >= facts_->insns.size())
    return PointerKind::Unknown;
  return facts_->insns[slot].base;
}

Mem X86Translator::access_operand(size_t slot, int base_reg, int16_t offset, int size, bool write) {
  const Reg base = ebpf_reg(base_reg);
  if (statically_in_frame(base_reg, offset, size) || proven_safe(slot)) return Mem{base, offset};
  enc_.lea(kScratch0, Mem{base, offset});
  enc_.call(write ? store_stub(size) : load_stub(size, false));
  return Mem{kScratch0, 0};
}

void X86Translator::translate_load(size_t slot, const Insn& insn) {
  const int size = access_bytes(insn.size());
  const Width width = width_of_bytes(size);
  const bool sign_extend = insn.mode() == kModeMemsx;
  const Reg dst = ebpf_reg(insn.dst());
  const Reg base = ebpf_reg(insn.src());
  if (proven_base(slot) == PointerKind::Context) {
    // The kernel's convert_ctx_access: the xdp_md field becomes a load from the shadow.
    const ContextField* field = sign_extend ? nullptr : find_xdp_context_field(insn.offset, size);
    if (field == nullptr)
      throw JitError(fmt::format("insn {}: invalid {}read of {} bytes at xdp_md{:+d}", slot,
                                 sign_extend ? "sign-extending " : "", size, insn.offset));
    enc_.load(field->shadow_size == 8 ? Width::W64 : Width::W32, dst,
              Mem{base, static_cast<int32_t>(field->shadow_offset)});
    return;
  }
  if (statically_in_frame(insn.src(), insn.offset, size) || proven_safe(slot)) {
    const Mem source{base, insn.offset};
    if (sign_extend) {
      enc_.load_sign_extend(width, dst, source);
    } else {
      enc_.load_zero_extend(width, dst, source);
    }
    return;
  }
  enc_.lea(kScratch0, Mem{base, insn.offset});
  enc_.call(load_stub(size, sign_extend));
  if (sign_extend) {
    enc_.movsx_reg(width, Width::W64, dst, kScratch0);
  } else {
    enc_.mov_reg_reg(Width::W64, dst, kScratch0);  // the stub zero-extends
  }
}

void X86Translator::translate_store(size_t slot, const Insn& insn) {
  const int size = access_bytes(insn.size());
  const Width width = width_of_bytes(size);
  if (proven_base(slot) == PointerKind::Context)
    throw JitError(
        fmt::format("insn {}: invalid write of {} bytes at xdp_md{:+d}: the context is "
                    "read-only",
                    slot, size, insn.offset));
  const Mem target = access_operand(slot, insn.dst(), insn.offset, size, true);
  if (insn.cls() == kClassStx) {
    enc_.store(width, target, ebpf_reg(insn.src()));
  } else if (options_.harden) {
    materialize_imm(kScratch1, insn.imm, true, slot);
    enc_.store(width, target, kScratch1);
  } else {
    enc_.store_imm(width, target, insn.imm);
  }
}

void X86Translator::translate_atomic(size_t slot, const Insn& insn) {
  const int size = access_bytes(insn.size());
  const Width w = width_of_bytes(size);
  const Reg src = ebpf_reg(insn.src());
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
  Mem target = access_operand(slot, insn.dst(), insn.offset, size, true);
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
      const Label retry = code_.new_label();
      code_.bind(retry);
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

void X86Translator::translate_lddw(size_t slot, const Insn& insn) {
  const Insn& next = program_.insns[slot + 1];
  const Reg dst = ebpf_reg(insn.dst());
  const auto low = static_cast<uint32_t>(insn.imm);
  const auto high = static_cast<uint32_t>(next.imm);
  uint64_t value = 0;
  switch (insn.src()) {
    case kLddwImm64:
      value = (uint64_t{high} << 32) | low;
      if (options_.harden) {
        const uint64_t key = (uint64_t{blinding_key(slot + 1)} << 32) | blinding_key(slot);
        enc_.movabs_reg_imm64(dst, value ^ key);
        enc_.movabs_reg_imm64(kScratch0, key);
        enc_.alu_reg_reg(AluOp::Xor, Width::W64, dst, kScratch0);
        return;
      }
      break;
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
      enc_.movabs_reg_label(dst, insn_labels_[static_cast<size_t>(target)]);
      return;
    }
    default:
      throw JitError(fmt::format("insn {}: invalid lddw source {}", slot, insn.src()));
  }
  enc_.load_constant(dst, value);
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
  if (!legacy_stub_.valid()) legacy_stub_ = code_.new_label();
  enc_.call(legacy_stub_);
}

}  // namespace nicsim::jit::x86
