// Precision backtracking (the kernel's backtrack_insn): which earlier locations a value
// needed exactly came from.
#include "verifier/analysis/explorer.h"

namespace nicsim::verifier {

bool Explorer::moves_whole_register(const VerifierState& s, const ebpf::Instruction& i) {
  using namespace ebpf;
  const bool load = i.cls() == kClassLdx && (i.mode() == kModeMem || i.mode() == kModeMemsx);
  const bool store = (i.cls() == kClassStx || i.cls() == kClassSt) && i.mode() == kModeMem;
  if (!load && !store) return false;
  const RegisterState& ptr = s.reg(load ? i.src() : i.dst());
  if (ptr.type != RegType::Stack || ptr.maybe_null || !ptr.value.is_const()) return false;
  const int64_t at = int64_t{i.offset} + ptr.off + static_cast<int64_t>(ptr.value.const_value());
  const int size = access_size(i);
  if (at < -kStackBytes || at + size > 0) return false;
  const int first = byte_in_slot(static_cast<int>(at));
  if (first + size > kSlotSize) return false;
  if (store) {
    // A spill starts at the slot's lowest byte; narrower stores elsewhere write data.
    if (first != 0) return false;
    if (i.cls() == kClassSt) return true;
    const RegisterState& value = s.reg(i.src());
    return value.is_scalar() || (value.is_pointer() && size == kSlotSize);
  }
  // A fill reads only bytes of the spilled register; a read touching the slot's other
  // bytes (unknown or zero data) gives a value that does not depend on the spill.
  if (ptr.frame >= s.frames.size()) return false;
  const StackSlot* slot = s.frames[ptr.frame].stack.slot(slot_index(static_cast<int>(at)));
  return slot != nullptr && slot->is_spill() && first + size <= slot->spill_size();
}

bool Explorer::backtrack(const std::vector<HistoryEntry>& history, LocationSet& need) const {
  using namespace ebpf;
  for (auto it = history.rbegin(); it != history.rend() && need.any(); ++it) {
    const Instruction& i = ctx_.insns[it->insn];
    const int d = it->depth;
    const size_t dst = reg_location(d, i.dst());
    const size_t src = reg_location(d, i.src());
    switch (i.cls()) {
      case kClassAlu:
      case kClassAlu64:
        if (!need.test(dst) || i.op() == kAluNeg || i.op() == kAluEnd) break;
        if (i.op() == kAluMov) need.reset(dst);
        if (i.source() == kSrcX && i.src() != kFramePointer) need.set(src);
        break;
      case kClassLd:
        if (i.is_lddw()) {
          need.reset(dst);
        } else {
          for (int r = 0; r <= 5; ++r)
            need.reset(reg_location(d, r));
        }
        break;
      case kClassLdx:
        if (!need.test(dst)) break;
        need.reset(dst);
        // Only a fill carries the slot's value (and its precision) into the register; any
        // other load (packet, map, stack data bytes, a variable offset) gives a value whose
        // bounds come from the memory's type or from bytes compared exactly.
        if (it->whole_register) need.set(slot_location(it->stack_frame, it->stack_slot));
        break;
      case kClassSt:
      case kClassStx: {
        const bool atomic = i.mode() == kModeAtomic;
        if (it->stack_variable) {
          // A variable-offset store turns the slots it may touch into data: a spill that a
          // later fill restored cannot have been written before it, unless atomically.
          if (!atomic) break;
          for (int sl = 0; sl < kStackSlots; ++sl) {
            for (int f = 0; f <= d; ++f) {
              if (need.test(slot_location(f, sl))) return false;
            }
          }
          break;
        }
        if (it->stack_slot < 0) break;
        const size_t slot = slot_location(it->stack_frame, it->stack_slot);
        if (atomic) {
          // The fetched old value comes from the slot; the new one mixes both.
          const int loaded = i.imm == kAtomicCmpxchg ? 0 : i.src();
          if ((i.imm & kAtomicFetch) && need.test(reg_location(d, loaded))) {
            need.reset(reg_location(d, loaded));
            need.set(slot);
          }
          if (need.test(slot)) {
            need.set(src);
            if (i.imm == kAtomicCmpxchg) need.set(reg_location(d, 0));
          }
          break;
        }
        if (!need.test(slot)) break;
        // A spill (of any width) replaces the spilled register; other stores only part of
        // the slot's bytes.
        if (it->whole_register || i.size() == kSizeDw) need.reset(slot);
        if (i.cls() == kClassStx) need.set(src);
        break;
      }
      case kClassJmp:
      case kClassJmp32: {
        if (i.is_exit()) {
          // Returning from a callee: the caller's R0 is the callee's.
          if (d > 0 && need.test(reg_location(d - 1, 0))) {
            need.reset(reg_location(d - 1, 0));
            need.set(reg_location(d, 0));
          }
          break;
        }
        if (i.is_call()) {
          // A global function is not entered: like a helper, it sets R0 and clobbers R1-R5.
          const bool global = ctx_.global_functions != nullptr &&
                              ctx_.global_functions->contains(it->insn + i.imm + 1);
          if (i.src() == kCallLocal && !global) {
            // Entering the callee: its R1-R5 are the caller's; nothing else of it existed.
            LocationSet moved;
            for (int r = 1; r <= 5; ++r) {
              if (need.test(reg_location(d + 1, r))) moved.set(reg_location(d, r));
            }
            for (size_t l = reg_location(d + 1, 0); l < kLocationCount; ++l)
              need.reset(l);
            need |= moved;
          } else {
            for (int r = 0; r <= 5; ++r)
              need.reset(reg_location(d, r));
          }
          break;
        }
        if (i.is_unconditional_jump()) break;
        // A comparison refined both operands (and their linked copies) from each other.
        bool involved = need.test(dst) || (i.source() == kSrcX && need.test(src));
        for (uint16_t l : it->linked)
          involved = involved || need.test(l);
        if (!involved) break;
        need.set(dst);
        if (i.source() == kSrcX) need.set(src);
        for (uint16_t l : it->linked)
          need.set(l);
        break;
      }
      default:
        break;
    }
  }
  return true;
}

}  // namespace nicsim::verifier
