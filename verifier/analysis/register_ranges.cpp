#include "verifier/analysis/register_ranges.h"

#include <algorithm>

#include "verifier/analysis/alu_op_of.h"
#include "verifier/analysis/cmp_of.h"
#include "verifier/domain/scalar_alu.h"
#include "verifier/domain/scalar_compare.h"

namespace nicsim::verifier {

using namespace ebpf;

namespace {

// Functions above this size are not analysed (the ranges take 700 bytes per instruction).
constexpr int32_t kMaxFunctionSize = 65536;

// Joins at one instruction before its changing registers are widened to unknown (loops).
constexpr int kJoinsBeforeWidening = 16;

// The operations whose transfer the analysis takes from the scalar domain; others (neg, byte
// swaps, arithmetic shifts, signed division, shifts by an amount outside the width) make the
// destination unknown, which no key needs.
std::optional<AluOp> modelled_alu_op(const Instruction& i) {
  const int bits = i.cls() == kClassAlu64 ? 64 : 32;
  const bool shift_in_range = i.source() == kSrcK && i.imm >= 0 && i.imm < bits;
  switch (i.op()) {
    case kAluAdd:
    case kAluSub:
    case kAluMul:
    case kAluOr:
    case kAluAnd:
    case kAluXor:
      return alu_op_of(i);
    case kAluDiv:
    case kAluMod:
      return i.offset == 0 ? std::optional(alu_op_of(i)) : std::nullopt;
    case kAluLsh:
    case kAluRsh:
      return shift_in_range ? std::optional(alu_op_of(i)) : std::nullopt;
    default:
      return std::nullopt;
  }
}

void transfer_alu(const Instruction& i, RegisterRanges& regs) {
  const bool is64 = i.cls() == kClassAlu64;
  const Scalar src = i.source() == kSrcX
                         ? regs[i.src()]
                         : Scalar::constant(is64 ? static_cast<uint64_t>(int64_t{i.imm})
                                                 : static_cast<uint32_t>(i.imm));
  Scalar& dst = regs[i.dst()];
  if (i.op() == kAluMov) {
    // offset: sign-extending moves; imm with a register source: address-space casts.
    const bool plain = i.offset == 0 && (i.source() == kSrcK || i.imm == 0);
    dst = !plain ? Scalar::unknown() : is64 ? src : src.truncate(4);
    return;
  }
  const auto op = modelled_alu_op(i);
  if (!op) {
    dst = Scalar::unknown();
  } else {
    dst = is64 ? alu64(*op, dst, src) : alu32(*op, dst, src);
  }
}

void clobber_caller_saved(RegisterRanges& regs) {
  for (int r = 0; r <= 5; ++r)
    regs[r] = Scalar::unknown();
}

constexpr int32_t kMapLookupElem = 1;  // reads its key, writes no memory it was given

// A store through the frame pointer: the slots it overlaps are gone; a 4- or 8-byte store
// leaves a slot of its own (narrower ones no key needs).
void store_to_frame(std::vector<StoredValue>& slots, int64_t offset, int bytes,
                    std::optional<Scalar> value) {
  std::erase_if(slots, [&](const StoredValue& s) {
    return s.offset < offset + bytes && offset < s.offset + s.bytes;
  });
  if (!value || bytes < 4) return;
  const StoredValue slot{static_cast<int16_t>(offset), static_cast<uint8_t>(bytes),
                         value->truncate(static_cast<unsigned>(bytes))};
  slots.insert(std::upper_bound(
                   slots.begin(), slots.end(), slot,
                   [](const StoredValue& a, const StoredValue& b) { return a.offset < b.offset; }),
               slot);
}

void transfer_store(const Instruction& i, int32_t at, const WritesNoStack& writes_no_stack,
                    ValueRanges& state) {
  const int bytes = access_bytes(i.size());
  const bool atomic = i.mode() == kModeAtomic;
  if (i.dst() != kFramePointer) {
    if (!writes_no_stack(at)) state.slots.clear();
  } else if (atomic || i.mode() != kModeMem) {
    store_to_frame(state.slots, i.offset, bytes, std::nullopt);
  } else if (i.cls() == kClassSt) {
    // The immediate is sign-extended to the access's width.
    store_to_frame(state.slots, i.offset, bytes,
                   Scalar::constant(static_cast<uint64_t>(int64_t{i.imm})));
  } else {
    store_to_frame(state.slots, i.offset, bytes, state.regs[i.src()]);
  }
  if (atomic && (i.imm & kAtomicFetch)) {
    state.regs[i.imm == kAtomicCmpxchg ? 0 : i.src()] = Scalar::unknown();
  }
}

// The state after a non-branching instruction.
void transfer(const AnalysisContext& ctx, int32_t at, const WritesNoStack& writes_no_stack,
              ValueRanges& state) {
  const Instruction& i = ctx.insns[at];
  RegisterRanges& regs = state.regs;
  switch (i.cls()) {
    case kClassAlu:
    case kClassAlu64:
      transfer_alu(i, regs);
      break;
    case kClassLdx: {
      const unsigned bytes = i.size() == kSizeB ? 1 : i.size() == kSizeH ? 2 : 4;
      const bool zero_extended = i.mode() == kModeMem && i.size() != kSizeDw;
      regs[i.dst()] = zero_extended ? Scalar::unknown_of_size(bytes) : Scalar::unknown();
      break;
    }
    case kClassLd:
      if (i.is_lddw()) {
        const uint64_t value = static_cast<uint32_t>(i.imm) |
                               (uint64_t{static_cast<uint32_t>(ctx.insns[at + 1].imm)} << 32);
        regs[i.dst()] = i.src() == 0 ? Scalar::constant(value) : Scalar::unknown();
      } else {
        clobber_caller_saved(regs);  // legacy packet loads: r0 the value, r1..r5 scratch
      }
      break;
    case kClassSt:
    case kClassStx:
      transfer_store(i, at, writes_no_stack, state);
      break;
    case kClassJmp:
    case kClassJmp32:
      if (i.is_call() || i.is_callx()) {
        clobber_caller_saved(regs);
        if (!(i.is_helper_call() && i.imm == kMapLookupElem)) state.slots.clear();
      }
      break;
    default:
      break;
  }
}

// Joins `incoming` into `into`; true when `into` changed. Past the widening threshold a
// changed value becomes unknown, so that loops end.
bool join_into(ValueRanges& into, const ValueRanges& incoming, bool widen) {
  bool changed = false;
  const auto join_value = [&](Scalar& mine, const Scalar& theirs) {
    Scalar joined = mine.join(theirs);
    if (joined == mine) return;
    changed = true;
    mine = widen ? Scalar::unknown() : joined;
  };
  for (int r = 0; r < kRegisterCount; ++r)
    join_value(into.regs[r], incoming.regs[r]);
  // A slot survives a merge only where every arriving path has it (at the same place).
  std::vector<StoredValue> kept;
  for (StoredValue slot : into.slots) {
    const auto match = std::find_if(
        incoming.slots.begin(), incoming.slots.end(),
        [&](const StoredValue& s) { return s.offset == slot.offset && s.bytes == slot.bytes; });
    if (match == incoming.slots.end()) {
      changed = true;
      continue;
    }
    join_value(slot.value, match->value);
    kept.push_back(slot);
  }
  into.slots = std::move(kept);
  return changed;
}

bool is_comparison(uint8_t op) {
  switch (op) {
    case kJmpJeq:
    case kJmpJgt:
    case kJmpJge:
    case kJmpJset:
    case kJmpJne:
    case kJmpJsgt:
    case kJmpJsge:
    case kJmpJlt:
    case kJmpJle:
    case kJmpJslt:
    case kJmpJsle:
      return true;
    default:
      return false;
  }
}

// The registers on one side of a conditional jump; nullopt when that side cannot happen.
std::optional<ValueRanges> refine_side(const Instruction& i, const ValueRanges& state, bool taken) {
  const bool with_register = i.source() == kSrcX;
  if (!is_comparison(i.op()) || (with_register && i.src() == i.dst())) return state;
  const bool is32 = i.cls() == kClassJmp32;
  const RegisterRanges& regs = state.regs;
  const Scalar other =
      with_register ? regs[i.src()] : Scalar::constant(static_cast<uint64_t>(int64_t{i.imm}));
  const CmpOp op = taken ? cmp_of(i.op()) : negate(cmp_of(i.op()));
  const auto refined = refine(op, regs[i.dst()], other, is32);
  if (!refined) return std::nullopt;
  ValueRanges out = state;
  out.regs[i.dst()] = refined->first;
  if (with_register) out.regs[i.src()] = refined->second;
  return out;
}

}  // namespace

std::vector<std::optional<ValueRanges>> register_ranges(const AnalysisContext& ctx,
                                                        int32_t function,
                                                        const WritesNoStack& writes_no_stack) {
  const Function& f = ctx.cfg.functions().at(function);
  const int32_t start = f.start;
  const int32_t end = f.end;
  if (end - start > kMaxFunctionSize) return {};
  std::vector<std::optional<ValueRanges>> in(end - start);
  std::vector<int> joins(end - start, 0);
  std::vector<int32_t> work;
  std::vector<uint8_t> queued(end - start, 0);

  const auto arrive = [&](int32_t target, const ValueRanges& state) {
    if (target < start || target >= end) return;
    auto& slot = in[target - start];
    if (!slot) {
      slot = state;
    } else {
      const bool widen = ++joins[target - start] > kJoinsBeforeWidening;
      if (!join_into(*slot, state, widen)) return;
    }
    if (!queued[target - start]) {
      queued[target - start] = 1;
      work.push_back(target);
    }
  };

  ValueRanges entry;
  entry.regs.fill(Scalar::unknown());
  arrive(start, entry);
  while (!work.empty()) {
    const int32_t at = work.back();
    work.pop_back();
    queued[at - start] = 0;
    const Instruction& i = ctx.insns[at];
    ValueRanges state = *in[at - start];
    if (i.is_exit()) continue;
    if (i.is_branch()) {
      const auto target = static_cast<int32_t>(at + i.branch_offset() + 1);
      if (i.is_unconditional_jump()) {
        arrive(target, state);
        continue;
      }
      if (const auto taken = refine_side(i, state, true)) arrive(target, *taken);
      if (const auto fallthrough = refine_side(i, state, false)) arrive(at + 1, *fallthrough);
      continue;
    }
    transfer(ctx, at, writes_no_stack, state);
    arrive(at + (i.is_lddw() ? 2 : 1), state);
  }
  return in;
}

}  // namespace nicsim::verifier
