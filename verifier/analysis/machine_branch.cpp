// Conditional jumps: decide the outcome when the abstract values do, otherwise split the
// path and refine each side — scalar bounds (and the bounds of linked copies), null checks
// of pointers returned by helpers, and packet ranges proven by comparisons with data_end
// (the kernel's check_cond_jmp_op, reg_set_min_max, find_good_pkt_pointers).

#include <fmt/format.h>

#include "verifier/analysis/cmp_of.h"
#include "verifier/analysis/machine.h"

namespace nicsim::verifier {

using namespace ebpf;

namespace {

constexpr uint64_t kMaxPacketOffset = 0xffff;

// Pointers that can never be NULL.
bool never_null(const RegisterState& r) {
  return r.is_pointer() && !r.maybe_null;
}

template <typename F>
void for_each_register(VerifierState& s, F&& f) {
  for (Frame& frame : s.frames) {
    for (RegisterState& r : frame.regs)
      f(r);
    for (int i = 0; i < frame.stack.allocated_slots(); ++i) {
      StackSlot& slot = frame.stack.slot_for_write(i);
      if (slot.is_spill()) f(slot.spilled);
    }
  }
}

// Pointers with the same base address, whose difference is their offsets'.
bool same_base(const RegisterState& a, const RegisterState& b) {
  if (!a.is_pointer() || !b.is_pointer() || a.type != b.type || a.maybe_null || b.maybe_null) {
    return false;
  }
  switch (a.type) {
    case RegType::Stack:
      return a.frame == b.frame;
    case RegType::Ctx:
      return true;
    case RegType::Packet:
    case RegType::PacketMeta:
      return a.id == b.id;
    default:
      return false;
  }
}

bool same_region(const RegisterState& a, const RegisterState& b) {
  const auto packet = [](const RegisterState& r) {
    return r.type == RegType::Packet || r.type == RegType::PacketMeta ||
           r.type == RegType::PacketEnd;
  };
  if (packet(a) && packet(b)) return true;
  if (a.type != b.type) return false;
  switch (a.type) {
    case RegType::Stack:
      return a.frame == b.frame;
    case RegType::MapValue:
      return a.map == b.map;
    case RegType::Ctx:
      return true;
    default:
      return false;  // map handles, sockets, kernel objects: no order
  }
}

}  // namespace

Outcome pointer_outcome(CmpOp op, const RegisterState& dst, const RegisterState& src) {
  if (never_null(dst) && src.is_const() && src.value.const_value() == 0) {
    if (op == CmpOp::Eq) return Outcome::Never;
    if (op == CmpOp::Ne) return Outcome::Always;
  }
  if (same_base(dst, src) && dst.value.is_const() && src.value.is_const()) {
    // Two addresses in one region differ by their offsets.
    const auto a = static_cast<uint64_t>(dst.const_offset());
    const auto b = static_cast<uint64_t>(src.const_offset());
    return concrete_compare(op, a, b, false) ? Outcome::Always : Outcome::Never;
  }
  if (dst.type == RegType::MapPtr && src.type == RegType::MapPtr && !dst.maybe_null &&
      !src.maybe_null && (op == CmpOp::Eq || op == CmpOp::Ne)) {
    // Each map has one address.
    return (dst.map == src.map) == (op == CmpOp::Eq) ? Outcome::Always : Outcome::Never;
  }
  return Outcome::Unknown;
}

void Machine::check_pointer_comparison(int32_t insn, const Instruction& i, CmpOp op,
                                       const RegisterState& dst, const RegisterState& src) {
  if (!dst.is_pointer() && !src.is_pointer()) return;
  if (ctx_.options.allow_pointer_leaks) return;  // the kernel's privileged rule: anything goes
  const bool is32 = i.cls() == kClassJmp32;
  const bool equality = op == CmpOp::Eq || op == CmpOp::Ne;
  const int reg = dst.is_pointer() ? i.dst() : i.src();
  bool allowed = false;
  if (dst.is_pointer() && src.is_pointer()) {
    // Addresses of different regions live in different memories on the NIC: only their
    // (in)equality means something. Order is meaningful within one region.
    allowed = !is32 && (equality || same_region(dst, src));
  } else {
    // A pointer against a number: only the null check "== 0" / "!= 0".
    const RegisterState& number = dst.is_pointer() ? src : dst;
    allowed = !is32 && equality && number.is_const() && number.value.const_value() == 0;
  }
  if (!allowed) fail(insn, fmt::format("R{} pointer comparison prohibited", reg));
}

void Machine::sync_linked_scalars(VerifierState& s, const RegisterState& reg) {
  if (!reg.is_scalar() || reg.id == 0) return;
  const RegisterState known = reg;
  for_each_register(s, [&](RegisterState& r) {
    if (r.is_scalar() && r.id == known.id) r.value = known.value;
  });
}

void Machine::mark_null_check(VerifierState& s, uint32_t id, bool is_null) {
  if (id == 0) return;
  uint32_t released = 0;
  for_each_register(s, [&](RegisterState& r) {
    if (!r.is_pointer() || !r.maybe_null || r.id != id) return;
    if (is_null) {
      // Only the pointer that acquired the reference (ref_id == id) owns it.
      if (r.ref_id != 0 && r.ref_id == r.id) released = r.ref_id;
      r = RegisterState::constant(0);
    } else {
      r.maybe_null = false;
      r.id = 0;
    }
  });
  // A NULL result holds nothing to release.
  if (released != 0) {
    std::erase_if(s.refs, [&](const Reference& ref) { return ref.id == released; });
  }
}

void Machine::update_packet_range(VerifierState& s, const RegisterState& pkt, bool strict,
                                  int32_t insn) {
  if (pkt.off < 0 || (pkt.off == 0 && strict)) return;
  if (pkt.value.u64.max > kMaxPacketOffset ||
      pkt.value.u64.max + static_cast<uint64_t>(pkt.off) > kMaxPacketOffset) {
    return;
  }
  const auto range = static_cast<uint32_t>(pkt.off + (strict ? 1 : 0));
  for_each_register(s, [&](RegisterState& r) {
    if (r.type == pkt.type && r.id == pkt.id && r.range < range) {
      r.range = range;
      r.range_proof = insn;
    }
  });
}

bool Machine::refine_branch(VerifierState& s, int32_t insn, const Instruction& i, CmpOp op, bool) {
  const bool is32 = i.cls() == kClassJmp32;
  RegisterState& dst = s.reg(i.dst());
  RegisterState src_value;
  if (i.source() == kSrcX) {
    src_value = s.reg(i.src());
  } else {
    const uint64_t imm =
        is32 ? static_cast<uint32_t>(i.imm) : static_cast<uint64_t>(int64_t{i.imm});
    src_value = RegisterState::constant(imm);
  }

  if (dst.is_scalar() && src_value.is_scalar()) {
    const auto refined = refine(op, dst.value, src_value.value, is32);
    if (!refined) return false;
    dst.value = refined->first;
    sync_linked_scalars(s, dst);
    if (i.source() == kSrcX) {
      RegisterState& src = s.reg(i.src());
      src.value = refined->second;
      sync_linked_scalars(s, src);
    }
    return true;
  }

  // Null checks: "ptr == 0" on a pointer that may be NULL.
  if (!is32 && dst.maybe_null && src_value.is_const() && src_value.value.const_value() == 0 &&
      (op == CmpOp::Eq || op == CmpOp::Ne)) {
    mark_null_check(s, dst.id, op == CmpOp::Eq);
    return true;
  }
  if (!is32 && never_null(dst) && src_value.is_const() && src_value.value.const_value() == 0) {
    if (op == CmpOp::Eq) return false;
    return true;
  }

  // Packet pointers compared with the packet end (or metadata with the packet start).
  if (!is32 && i.source() == kSrcX) {
    const RegisterState a = dst;
    const RegisterState b = s.reg(i.src());
    const auto bounded_by = [](const RegisterState& p, const RegisterState& end) {
      return (p.type == RegType::Packet && end.type == RegType::PacketEnd) ||
             (p.type == RegType::PacketMeta && end.type == RegType::Packet && end.off == 0 &&
              end.value.is_const() && end.value.const_value() == 0);
    };
    if (bounded_by(a, b)) {
      // a <= end proves [a.off) readable; a < end one byte more.
      if (op == CmpOp::Le) update_packet_range(s, a, false, insn);
      if (op == CmpOp::Lt) update_packet_range(s, a, true, insn);
    } else if (bounded_by(b, a)) {
      if (op == CmpOp::Ge) update_packet_range(s, b, false, insn);
      if (op == CmpOp::Gt) update_packet_range(s, b, true, insn);
    }
  }
  return true;
}

void Machine::conditional_jump(VerifierState& s, int32_t insn, Step& step) {
  const Instruction& i = ctx_.insns[insn];
  const bool is32 = i.cls() == kClassJmp32;
  const CmpOp op = cmp_of(i.op());
  RegisterState src;
  if (i.source() == kSrcX) {
    src = use(s, insn, i.src());
  } else {
    src = RegisterState::constant(is32 ? static_cast<uint32_t>(i.imm)
                                       : static_cast<uint64_t>(int64_t{i.imm}));
  }
  const RegisterState dst = use(s, insn, i.dst());
  const int32_t target = static_cast<int32_t>(insn + i.branch_offset() + 1);
  check_pointer_comparison(insn, i, op, dst, src);

  Outcome outcome = Outcome::Unknown;
  if (i.source() == kSrcX && i.src() == i.dst()) {
    // A register against itself.
    const bool holds = op == CmpOp::Eq || op == CmpOp::Ge || op == CmpOp::Le || op == CmpOp::Sge ||
                       op == CmpOp::Sle;
    if (op != CmpOp::Set && op != CmpOp::NotSet) outcome = holds ? Outcome::Always : Outcome::Never;
  } else if (dst.is_scalar() && src.is_scalar()) {
    outcome = evaluate(op, dst.value, src.value, is32);
  } else if (!is32) {
    outcome = pointer_outcome(op, dst, src);
  }
  // A decided outcome depends on the exact bounds of the scalars compared.
  const auto decided = [&] {
    need_precise(s, {i.dst(), i.source() == kSrcX ? static_cast<int>(i.src()) : -1});
  };
  if (outcome == Outcome::Always) {
    decided();
    step.branch_taken = true;
    step.next = target;
    return;
  }
  if (outcome == Outcome::Never) {
    decided();
    step.branch_fallthrough = true;
    return;
  }
  // Refinement reaches every copy linked to an operand; precision tracking must know.
  const auto collect_linked = [&](const RegisterState& r) {
    if (!r.is_scalar() || r.id == 0) return;
    for (size_t f = 0; f < s.frames.size(); ++f) {
      const Frame& frame = s.frames[f];
      for (int k = 0; k < kRegisterCount; ++k) {
        if (frame.regs[k].is_scalar() && frame.regs[k].id == r.id) {
          step.linked.push_back(static_cast<uint16_t>(reg_location(static_cast<int>(f), k)));
        }
      }
      for (int k = 0; k < frame.stack.allocated_slots(); ++k) {
        const StackSlot& slot = *frame.stack.slot(k);
        if (slot.is_spill() && slot.spilled.is_scalar() && slot.spilled.id == r.id) {
          step.linked.push_back(static_cast<uint16_t>(slot_location(static_cast<int>(f), k)));
        }
      }
    }
  };
  collect_linked(dst);
  if (i.source() == kSrcX) collect_linked(src);

  VerifierState taken = s;
  const bool taken_feasible = refine_branch(taken, insn, i, op, true);
  const bool fallthrough_feasible = refine_branch(s, insn, i, negate(op), false);
  if (!taken_feasible || !fallthrough_feasible) decided();
  step.branch_taken = taken_feasible;
  step.branch_fallthrough = fallthrough_feasible;
  if (!fallthrough_feasible) {
    if (!taken_feasible) {
      step.next = -1;
      return;
    }
    s = std::move(taken);
    step.next = target;
    return;
  }
  if (taken_feasible) {
    step.forked = true;
    step.fork_insn = target;
    step.fork_state = std::move(taken);
  }
}

}  // namespace nicsim::verifier
