// Verified code's helper calls without the helper stub: array lookups computed inline and
// thunks calling a helper's verified function directly (jit/common decides which).

#include <bit>
#include <cstdint>

#include "jit/x86_64/x86_translator.h"

namespace nicsim::jit::x86 {

namespace {

// reg *= factor (64-bit), by a shift when factor is a power of two.
void scale(X86Encoder& enc, Reg reg, uint64_t factor) {
  if (std::has_single_bit(factor)) {
    if (factor > 1)
      enc.shift_reg_imm(ShiftOp::Shl, Width::W64, reg,
                        static_cast<uint8_t>(std::countr_zero(factor)));
  } else {
    enc.imul_reg_reg_imm(Width::W64, reg, reg, static_cast<int32_t>(factor));
  }
}

// dst = base + index * factor (64-bit); index may be changed. One lea where the factor is an
// address scale.
void scaled_sum(X86Encoder& enc, Reg dst, Reg base, Reg index, uint64_t factor) {
  if (factor == 1 || factor == 2 || factor == 4 || factor == 8) {
    enc.lea_indexed(dst, base, index, static_cast<uint8_t>(factor));
    return;
  }
  scale(enc, index, factor);
  if (dst == index) {
    enc.alu_reg_reg(AluOp::Add, Width::W64, dst, base);
  } else {
    if (dst != base) enc.mov_reg_reg(Width::W64, dst, base);
    enc.alu_reg_reg(AluOp::Add, Width::W64, dst, index);
  }
}

}  // namespace

// imul takes a signed 32-bit factor; index * stride cannot overflow 64 bits below that.
bool X86Translator::inlines_array_lookup(const ebpf::ArrayLayout& layout) const {
  return layout.slot_stride <= INT32_MAX && layout.copy_stride <= INT32_MAX;
}

// r0 = index < max_entries ? base + index * slot_stride (+ cpu * copy_stride) : 0, with the
// index read as the helper reads it (a u32 at r2, or the low half of the register it was just
// stored from). Only r0 and the scratch register change. A key the verifier fixed makes r0 a
// constant (or null), one it bounded below max_entries needs no bounds check.
void X86Translator::emit_array_lookup(const ebpf::ArrayLayout& layout,
                                      const std::optional<U32Range>& key, int key_register) {
  const Reg r0 = ebpf_reg(0);
  const bool constant_key = key && key->min == key->max;
  if (constant_key && key->min >= layout.max_entries) {
    enc_.alu_reg_reg(AluOp::Xor, Width::W32, r0, r0);
    return;
  }
  const bool in_range = key && key->max < layout.max_entries;
  const Label out_of_range = code().new_label();
  const Label done = code().new_label();
  if (constant_key) {
    enc_.load_constant(r0, layout.base + uint64_t{key->min} * layout.slot_stride);
  } else {
    if (key_register >= 0) {
      enc_.mov_reg_reg(Width::W32, r0, ebpf_reg(key_register));
    } else {
      enc_.load(Width::W32, r0, Mem{ebpf_reg(2), 0});
    }
    if (!in_range) {
      // A 32-bit compare: max_entries is compared as the unsigned 32-bit value it is.
      enc_.alu_reg_imm(AluOp::Cmp, Width::W32, r0, static_cast<int32_t>(layout.max_entries));
      enc_.jcc(Cond::AE, out_of_range);
    }
    enc_.load_constant(kScratch0, layout.base);
    scaled_sum(enc_, r0, kScratch0, r0, layout.slot_stride);
  }
  if (layout.current_cpu != nullptr) {
    // Per-CPU arrays: the copy of the CPU the Runtime runs the program on now.
    enc_.load_constant(kScratch0, reinterpret_cast<uint64_t>(layout.current_cpu));
    enc_.load(Width::W32, kScratch0, Mem{kScratch0, 0});
    scaled_sum(enc_, r0, r0, kScratch0, layout.copy_stride);
  }
  if (in_range || constant_key) return;
  enc_.jmp(done);
  code().bind(out_of_range);
  enc_.alu_reg_reg(AluOp::Xor, Width::W32, r0, r0);
  code().bind(done);
}

// Entered by a call from an eBPF function. r1..r5 are already the helper's first five
// arguments; the Runtime is the sixth, left out for variants that never read it. Where the
// body runs at rsp 0 mod 16 (thunks_jump) the thunk jumps to the function, which returns to
// the call site itself (the kernel's JIT calls its helpers as directly; one call and one
// return fewer a helper call); elsewhere the body runs at 8 mod 16, the thunk at 0 mod 16,
// and it calls the function.
void X86Translator::emit_direct_helper_thunk(uint64_t function, bool pass_runtime) {
  if (pass_runtime) enc_.movabs_reg_imm64(Reg::r9, reinterpret_cast<uint64_t>(&runtime()));
  enc_.movabs_reg_imm64(kScratch0, function);
  if (thunks_jump()) {
    enc_.jmp_reg(kScratch0);
  } else {
    enc_.call_reg(kScratch0);
    enc_.ret();
  }
}

}  // namespace nicsim::jit::x86
