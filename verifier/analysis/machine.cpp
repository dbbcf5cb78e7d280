#include "verifier/analysis/machine.h"

#include <fmt/format.h>

#include "verifier/analysis/cmp_of.h"

namespace nicsim::verifier {

using namespace ebpf;

VerifierState Machine::entry_state() {
  VerifierState s;
  s.frames.emplace_back();
  Frame& f = s.frames.back();
  f.regs[1] = RegisterState::pointer(RegType::Ctx);
  f.regs[kFramePointer] = RegisterState::pointer(RegType::Stack);
  f.regs[kFramePointer].frame = 0;
  return s;
}

void Machine::fail(int32_t insn, std::string message) const {
  throw VerifyError(insn, std::move(message));
}

void Machine::need_precise(const VerifierState& s, std::initializer_list<int> regs) {
  LocationSet locations;
  for (int r : regs) {
    if (r >= 0 && s.reg(r).is_scalar()) locations.set(reg_location(s.depth(), r));
  }
  if (locations.any()) observer_.require_precision(locations);
}

void Machine::mark_reg_read(const VerifierState& s, int reg) {
  observer_.on_read(reg_location(s.depth(), reg));
}

const RegisterState& Machine::use(VerifierState& s, int32_t insn, int reg) {
  const RegisterState& r = s.reg(reg);
  if (!r.is_init()) fail(insn, fmt::format("R{} !read_ok", reg));
  mark_reg_read(s, reg);
  return r;
}

RegisterState& Machine::define(VerifierState& s, int32_t insn, int reg) {
  if (reg == kFramePointer) fail(insn, "frame pointer is read only");
  observer_.on_write(reg_location(s.depth(), reg));
  return s.reg(reg);
}

std::string Machine::describe_reg(const VerifierState& s, const RegisterState& reg) const {
  if (reg.map >= 0 && reg.map < static_cast<int32_t>(ctx_.maps.size())) {
    const MapDefinition& def = ctx_.maps[reg.map];
    const MapShape shape{def.name, def.key_size, def.value_size};
    return describe(reg, &shape, s.depth());
  }
  return describe(reg, nullptr, s.depth());
}

void Machine::indirect_call(VerifierState& s, int32_t insn, Step& step) {
  // callx: as nicsim's engines run it, the register holds either a function's address
  // (lddw src=4) or a helper id (the bpf_conformance convention). The kernel has no callx.
  const int reg = ctx_.insns[insn].dst();
  const RegisterState target = use(s, insn, reg);
  if (target.type == RegType::Func) {
    local_call(s, insn, step, target.target);
    return;
  }
  if (target.is_const() && target.value.const_value() <= static_cast<uint64_t>(INT32_MAX)) {
    need_precise(s, {reg});
    helper_call(s, insn, step, static_cast<int32_t>(target.value.const_value()));
    return;
  }
  fail(insn, fmt::format("callx target R{} is neither a known function nor a known helper id "
                         "(R{}={})",
                         reg, reg, describe_reg(s, target)));
}

void Machine::assume(VerifierState& s, int32_t insn, const Assumption& a, Step& step) {
  const CmpOp op = cmp_of(a.op);
  use(s, insn, a.dst);
  if (a.src_is_reg) use(s, insn, a.src);
  RegisterState& dst = s.reg(a.dst);
  const RegisterState src = a.src_is_reg
                                ? s.reg(a.src)
                                : RegisterState::constant(a.is32 ? static_cast<uint32_t>(a.imm)
                                                                 : static_cast<uint64_t>(a.imm));
  bool feasible = true;
  if (a.src_is_reg) {
    check_pointer_comparison(
        insn, make_insn(static_cast<uint8_t>(a.is32 ? kClassJmp32 : kClassJmp), a.dst, a.src, 0, 0),
        op, dst, src);
  } else {
    check_pointer_comparison(
        insn, make_insn(static_cast<uint8_t>(a.is32 ? kClassJmp32 : kClassJmp), a.dst, 0, 0, 0), op,
        dst, src);
  }
  if (a.src_is_reg && a.src == a.dst) {
    // A register against itself.
    feasible = op == CmpOp::Eq || op == CmpOp::Ge || op == CmpOp::Le || op == CmpOp::Sge ||
               op == CmpOp::Sle || op == CmpOp::Set || op == CmpOp::NotSet;
  } else if (dst.is_scalar() && src.is_scalar()) {
    const auto refined = refine(op, dst.value, src.value, a.is32);
    feasible = refined.has_value();
    if (feasible) {
      dst.value = refined->first;
      sync_linked_scalars(s, dst);
      if (a.src_is_reg) {
        s.reg(a.src).value = refined->second;
        sync_linked_scalars(s, s.reg(a.src));
      }
    }
  } else if (!a.is32 && pointer_outcome(op, dst, src) != Outcome::Unknown) {
    feasible = pointer_outcome(op, dst, src) == Outcome::Always;
  } else if (a.src_is_reg || a.imm == static_cast<int32_t>(a.imm)) {
    // Pointer conditions (null checks, packet bounds) as a conditional jump would apply them.
    const Instruction cond = make_insn(static_cast<uint8_t>((a.is32 ? kClassJmp32 : kClassJmp) |
                                                            a.op | (a.src_is_reg ? kSrcX : kSrcK)),
                                       a.dst, a.src, 0, static_cast<int32_t>(a.imm));
    feasible = refine_branch(s, insn, cond, op, true);
  }
  if (feasible) {
    step.branch_taken = true;
  } else {
    need_precise(s, {a.dst, a.src_is_reg ? static_cast<int>(a.src) : -1});
    step.next = -1;
  }
}

void Machine::execute(VerifierState& s, int32_t insn, Step& step) {
  const Instruction& i = ctx_.insns[insn];
  step.forked = false;
  step.next = insn + 1;
  step.stack_frame = -1;
  step.stack_slot = -1;
  step.stack_variable = false;
  step.linked.clear();
  step.branch_taken = false;
  step.branch_fallthrough = false;
  if (ctx_.assumptions != nullptr) {
    const auto a = ctx_.assumptions->find(insn);
    if (a != ctx_.assumptions->end()) {
      assume(s, insn, a->second, step);
      return;
    }
  }
  switch (i.cls()) {
    case kClassAlu:
    case kClassAlu64:
      alu(s, insn);
      return;
    case kClassLd:
      if (i.is_lddw()) {
        lddw(s, insn);
        step.next = insn + 2;
      } else {
        legacy_packet_load(s, insn);
      }
      return;
    case kClassLdx:
      load(s, insn, step);
      return;
    case kClassSt:
      store(s, insn, step);
      return;
    case kClassStx:
      if (i.mode() == kModeAtomic) {
        atomic(s, insn, step);
      } else {
        store(s, insn, step);
      }
      return;
    case kClassJmp:
    case kClassJmp32:
      if (i.is_exit()) {
        exit(s, insn, step);
      } else if (i.is_call()) {
        if (i.src() == kCallLocal) {
          local_call(s, insn, step, insn + i.imm + 1);
        } else if (i.src() == kCallHelper) {
          helper_call(s, insn, step, i.imm);
        } else {
          fail(insn, "calling kernel functions (kfuncs) is not supported by nicsim");
        }
      } else if (i.is_callx()) {
        indirect_call(s, insn, step);
      } else if (i.is_unconditional_jump()) {
        step.next = static_cast<int32_t>(insn + i.branch_offset() + 1);
      } else {
        conditional_jump(s, insn, step);
      }
      return;
    default:
      fail(insn, fmt::format("unknown insn class {}", i.cls()));
  }
}

}  // namespace nicsim::verifier
