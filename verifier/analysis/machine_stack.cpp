// Stack accesses: bounds, alignment, spills and fills of registers, initialisation of every
// byte read (the kernel's check_stack_read/write and check_stack_range_initialized).

#include <fmt/format.h>

#include <bit>

#include "verifier/analysis/machine.h"

namespace nicsim::verifier {

namespace {

constexpr int64_t kMaxVarOffset = int64_t{1} << 29;

int width_of(const Scalar& v) {
  return 64 - std::countl_zero(v.u64.max);
}

// Scrubs a slot that held a spilled register: its bytes become plain data.
void scrub_spill(StackSlot& slot) {
  bool had_spill = false;
  for (SlotByte& b : slot.bytes) {
    if (b == SlotByte::Spill) {
      b = SlotByte::Misc;
      had_spill = true;
    }
  }
  if (had_spill) slot.spilled = RegisterState{};
}

}  // namespace

std::pair<int64_t, int64_t> Machine::stack_bounds(int32_t insn, int regno, const RegisterState& ptr,
                                                  int32_t off, int size, const char* what) const {
  const Scalar& var = ptr.value;
  const int64_t fixed = int64_t{off} + ptr.off;
  int64_t min_off = 0;
  int64_t max_off = 0;
  if (var.is_const()) {
    min_off = static_cast<int64_t>(var.const_value()) + fixed;
    max_off = min_off + size;
  } else {
    if (var.s64.max >= kMaxVarOffset || var.s64.min <= -kMaxVarOffset) {
      fail(insn, fmt::format("invalid unbounded variable-offset{} stack R{}", what, regno));
    }
    min_off = var.s64.min + fixed;
    max_off = var.s64.max + fixed + size;
  }
  if (min_off < -kStackBytes || max_off > 0 || size < 0) {
    if (var.is_const()) {
      fail(insn, fmt::format("invalid{} stack R{} off={} size={}", what, regno, min_off, size));
    }
    fail(insn, fmt::format("invalid variable-offset{} stack R{} var_off={} off={} size={}", what,
                           regno, var.bits.to_string(), fixed, size));
  }
  return {min_off, max_off};
}

// An unaligned constant-offset read across two slots: every byte must be initialised (or a
// spilled scalar's); the value is known only when all of them are zero.
RegisterState Machine::misaligned_stack_read(const FrameStack& stack, int32_t insn, int frame,
                                             int at, int size) {
  bool all_zero = true;
  for (int x = at; x < at + size; ++x) {
    observer_.on_read(slot_location(frame, slot_index(x)));
    const SlotByte b = stack.byte(x);
    if (b == SlotByte::Zero) continue;
    all_zero = false;
    if (b == SlotByte::Misc) continue;
    const StackSlot* slot = stack.slot(slot_index(x));
    if (b == SlotByte::Spill && slot->spilled.is_scalar()) continue;
    if (b == SlotByte::Spill && !ctx_.options.allow_pointer_leaks) {
      fail(insn, "invalid size of register fill");
    }
    if (b == SlotByte::Invalid && !ctx_.options.allow_uninit_stack) {
      fail(insn, fmt::format("invalid read from stack off {}+{} size {}", at, x - at, size));
    }
  }
  return all_zero ? RegisterState::constant(0) : RegisterState::unknown_scalar();
}

RegisterState Machine::stack_read(VerifierState& s, int32_t insn, int regno,
                                  const RegisterState& ptr, int32_t off, int size) {
  const Tnum at = ptr.value.bits + Tnum::constant(static_cast<uint64_t>(int64_t{ptr.off} + off));
  if (stack_alignment_required() && !at.is_aligned(static_cast<uint64_t>(size))) {
    fail(insn, fmt::format("misaligned stack access off {}+{}+{} size {}",
                           ptr.value.bits.to_string(), ptr.off, off, size));
  }
  const auto [min_off, max_off] = stack_bounds(insn, regno, ptr, off, size, " read from");
  observer_.on_stack_depth(s.frames[ptr.frame].function, static_cast<int32_t>(-min_off));
  const FrameStack& stack = s.frames[ptr.frame].stack;
  const bool uninit_ok = ctx_.options.allow_uninit_stack;

  if (!ptr.value.is_const()) {
    bool all_zero = true;
    for (int64_t a = min_off; a < max_off; ++a) {
      const auto x = static_cast<int>(a);
      observer_.on_read(slot_location(ptr.frame, slot_index(x)));
      const SlotByte b = stack.byte(x);
      const StackSlot* slot = stack.slot(slot_index(x));
      if (b == SlotByte::Zero) continue;
      all_zero = false;
      if (b == SlotByte::Misc) continue;
      if (b == SlotByte::Spill && (slot->spilled.is_scalar() || ctx_.options.allow_pointer_leaks)) {
        continue;
      }
      if (b == SlotByte::Invalid && uninit_ok) continue;
      fail(insn, fmt::format("invalid read from stack R{} var_off {}+{} size {}", regno,
                             ptr.value.bits.to_string(), int64_t{off} + ptr.off, size));
    }
    return all_zero ? RegisterState::constant(0) : RegisterState::unknown_scalar();
  }

  const auto a = static_cast<int>(min_off);
  const int spi = slot_index(a);
  const int first = byte_in_slot(a);
  if (first + size > kSlotSize) return misaligned_stack_read(stack, insn, ptr.frame, a, size);
  observer_.on_read(slot_location(ptr.frame, spi));
  const StackSlot* slot = stack.slot(spi);
  if (slot != nullptr && slot->is_spill()) {
    const int spill = slot->spill_size();
    if (size == kSlotSize && spill == kSlotSize) return slot->spilled;
    if (!slot->spilled.is_scalar()) fail(insn, "invalid size of register fill");
    if (size <= spill && first == 0) return slot->spilled;
    int spilled_bytes = 0;
    int zero_bytes = 0;
    for (int k = 0; k < size; ++k) {
      const SlotByte b = slot->bytes[first + k];
      if (b == SlotByte::Spill) ++spilled_bytes;
      if (b == SlotByte::Zero) ++zero_bytes;
      if (b == SlotByte::Invalid && !uninit_ok) {
        fail(insn, fmt::format("invalid read from stack off {}+{} size {}", a, k, size));
      }
    }
    if ((spilled_bytes == size && slot->spilled.value.is_const() &&
         slot->spilled.value.const_value() == 0) ||
        zero_bytes == size) {
      return RegisterState::constant(0);
    }
    return RegisterState::unknown_scalar();
  }
  bool all_zero = true;
  for (int k = 0; k < size; ++k) {
    const SlotByte b = slot == nullptr ? SlotByte::Invalid : slot->bytes[first + k];
    if (b == SlotByte::Invalid && !uninit_ok) {
      fail(insn, fmt::format("invalid read from stack off {}+{} size {}", a, k, size));
    }
    if (b != SlotByte::Zero) all_zero = false;
  }
  return all_zero ? RegisterState::constant(0) : RegisterState::unknown_scalar();
}

void Machine::stack_write(VerifierState& s, int32_t insn, int regno, const RegisterState& ptr,
                          int32_t off, int size, const RegisterState* value,
                          std::optional<uint64_t> imm) {
  const Tnum at = ptr.value.bits + Tnum::constant(static_cast<uint64_t>(int64_t{ptr.off} + off));
  if (stack_alignment_required() && !at.is_aligned(static_cast<uint64_t>(size))) {
    fail(insn, fmt::format("misaligned stack access off {}+{}+{} size {}",
                           ptr.value.bits.to_string(), ptr.off, off, size));
  }
  const auto [min_off, max_off] = stack_bounds(insn, regno, ptr, off, size, " write to");
  observer_.on_stack_depth(s.frames[ptr.frame].function, static_cast<int32_t>(-min_off));
  FrameStack& stack = s.frames[ptr.frame].stack;
  const bool writes_zero =
      (value != nullptr && value->is_const() && value->value.const_value() == 0) ||
      (value == nullptr && imm.has_value() && *imm == 0);

  if (!ptr.value.is_const()) {
    for (int64_t a = min_off; a < max_off; ++a) {
      const auto x = static_cast<int>(a);
      StackSlot& slot = stack.slot_for_write(slot_index(x));
      if (slot.is_spill() && slot.spilled.is_pointer() && !ctx_.options.allow_pointer_leaks) {
        fail(insn, fmt::format("spilled ptr in range of var-offset stack write; insn {}, ptr "
                               "off: {}",
                               insn, (slot_index(x) + 1) * -kSlotSize));
      }
      scrub_spill(slot);
      SlotByte& b = slot.bytes[byte_in_slot(x)];
      const bool surely_written = a >= max_off - size && a < min_off + size;
      if (surely_written) {
        b = writes_zero ? SlotByte::Zero : SlotByte::Misc;
      } else if (b != SlotByte::Invalid && !(b == SlotByte::Zero && writes_zero)) {
        b = SlotByte::Misc;
      }
    }
    return;
  }

  const auto a = static_cast<int>(min_off);
  const int spi = slot_index(a);
  const int first = byte_in_slot(a);
  if (value != nullptr && value->is_pointer() && first != 0) {
    fail(insn, fmt::format("misaligned stack access off {}+{}+{} size {}",
                           ptr.value.bits.to_string(), ptr.off, off, size));
  }
  if (first + size > kSlotSize) {
    // An unaligned access across two slots: both lose their spills, every byte is data.
    for (int x = a; x < a + size; ++x) {
      StackSlot& touched = stack.slot_for_write(slot_index(x));
      scrub_spill(touched);
      touched.bytes[byte_in_slot(x)] = writes_zero ? SlotByte::Zero : SlotByte::Misc;
    }
    return;
  }
  StackSlot& slot = stack.slot_for_write(spi);
  if (value != nullptr && value->is_pointer()) {
    if (size != kSlotSize) fail(insn, "invalid size of register spill");
    if (ptr.frame != s.depth() && value->type == RegType::Stack) {
      fail(insn, "cannot spill pointers to stack into stack frame of the caller");
    }
    slot.bytes.fill(SlotByte::Spill);
    slot.spilled = *value;
    observer_.on_write(slot_location(ptr.frame, spi));
    return;
  }
  const bool spills_scalar = first == 0 && ((value != nullptr && value->is_scalar()) ||
                                            (value == nullptr && imm.has_value()));
  if (spills_scalar) {
    RegisterState spilled = value != nullptr ? *value : RegisterState::constant(*imm);
    if (value != nullptr) {
      // Keep the spill linked to the register it came from when the value fits.
      if (width_of(value->value) <= size * 8) {
        RegisterState& source = s.reg(ctx_.insns[insn].src());
        if (source.is_scalar() && source.id == 0 && !source.value.is_const()) {
          source.id = new_id();
        }
        spilled.id = source.id;
      } else {
        spilled.id = 0;
      }
    }
    for (int k = 0; k < kSlotSize; ++k) {
      SlotByte& b = slot.bytes[k];
      if (k < size) {
        b = SlotByte::Spill;
      } else if (b == SlotByte::Spill) {
        b = SlotByte::Misc;
      }
    }
    slot.spilled = spilled;
    if (size == kSlotSize) observer_.on_write(slot_location(ptr.frame, spi));
    return;
  }
  scrub_spill(slot);
  for (int k = 0; k < size; ++k) {
    slot.bytes[first + k] = writes_zero ? SlotByte::Zero : SlotByte::Misc;
  }
  if (size == kSlotSize) observer_.on_write(slot_location(ptr.frame, spi));
}

void Machine::stack_range_for_helper(VerifierState& s, int32_t insn, int regno,
                                     const RegisterState& ptr, int64_t size, bool write,
                                     bool zero_size_allowed) {
  if (size == 0 && zero_size_allowed) return;
  const auto [min_off, max_off] =
      stack_bounds(insn, regno, ptr, 0, static_cast<int>(size), " indirect access to");
  observer_.on_stack_depth(s.frames[ptr.frame].function, static_cast<int32_t>(-min_off));
  FrameStack& stack = s.frames[ptr.frame].stack;
  if (write) {
    // The helper writes the bytes; which ones is only certain for a constant offset.
    const bool exact = ptr.value.is_const();
    for (int64_t a = min_off; a < max_off; ++a) {
      const auto x = static_cast<int>(a);
      StackSlot& slot = stack.slot_for_write(slot_index(x));
      scrub_spill(slot);
      SlotByte& b = slot.bytes[byte_in_slot(x)];
      const bool surely = exact || (a >= max_off - size && a < min_off + size);
      if (surely || b != SlotByte::Invalid) b = SlotByte::Misc;
    }
    return;
  }
  for (int64_t a = min_off; a < max_off; ++a) {
    const auto x = static_cast<int>(a);
    observer_.on_read(slot_location(ptr.frame, slot_index(x)));
    const SlotByte b = stack.byte(x);
    if (b == SlotByte::Misc || b == SlotByte::Zero) continue;
    const StackSlot* slot = stack.slot(slot_index(x));
    if (b == SlotByte::Spill) {
      if (slot->spilled.is_scalar() || ctx_.options.allow_pointer_leaks) continue;
      fail(insn, fmt::format("invalid indirect read from stack R{} off {}+{} size {}: it holds a "
                             "spilled {} pointer, which would leak to the helper",
                             regno, min_off, a - min_off, size, type_string(slot->spilled)));
    }
    if (ctx_.options.allow_uninit_stack) continue;
    if (ptr.value.is_const()) {
      fail(insn, fmt::format("invalid indirect read from stack R{} off {}+{} size {}", regno,
                             min_off, a - min_off, size));
    }
    fail(insn, fmt::format("invalid indirect read from stack R{} var_off {}+{} size {}", regno,
                           ptr.value.bits.to_string(), ptr.off, size));
  }
}

}  // namespace nicsim::verifier
