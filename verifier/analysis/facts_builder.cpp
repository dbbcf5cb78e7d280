#include "verifier/analysis/facts_builder.h"

#include <algorithm>
#include <functional>

namespace nicsim::verifier {

using namespace ebpf;

namespace {

using RegMask = uint16_t;
constexpr RegMask bit(int r) {
  return static_cast<RegMask>(1U << r);
}
constexpr RegMask kArgs = bit(1) | bit(2) | bit(3) | bit(4) | bit(5);
constexpr RegMask kCallerSaved = bit(0) | kArgs;

constexpr int32_t kMapLookupElem = 1;  // the kernel's helper number
constexpr int kKeyBytes = 4;           // array keys are u32

bool is_map_lookup(const Instruction& i) {
  return i.is_helper_call() && i.imm == kMapLookupElem;
}

// Registers whose full 64 bits an instruction reads, and registers it (re)defines.
struct UpperUse {
  RegMask reads_full = 0;
  RegMask defines = 0;
};

UpperUse upper_use(const Instruction& i) {
  UpperUse u;
  const uint8_t dst = i.dst();
  const uint8_t src = i.src();
  switch (i.cls()) {
    case kClassAlu64:
      if (i.op() == kAluEnd) {
        if (i.imm == 64) u.reads_full |= bit(dst);
      } else if (i.op() != kAluMov) {
        u.reads_full |= bit(dst);
      }
      if (i.source() == kSrcX && i.op() != kAluEnd && i.op() != kAluNeg) u.reads_full |= bit(src);
      u.defines |= bit(dst);
      break;
    case kClassAlu:
      if (i.op() == kAluEnd && i.imm == 64) u.reads_full |= bit(dst);
      u.defines |= bit(dst);
      break;
    case kClassLdx:
      u.reads_full |= bit(src);
      u.defines |= bit(dst);
      break;
    case kClassSt:
      u.reads_full |= bit(dst);
      break;
    case kClassStx:
      u.reads_full |= bit(dst);
      if (i.size() == kSizeDw) u.reads_full |= bit(src);
      if (i.mode() == kModeAtomic) {
        u.reads_full |= bit(src);
        if (i.imm & kAtomicFetch) u.defines |= bit(i.imm == kAtomicCmpxchg ? 0 : src);
        if (i.imm == kAtomicCmpxchg) u.reads_full |= bit(0);
      }
      break;
    case kClassLd:
      if (i.is_lddw()) {
        u.defines |= bit(dst);
      } else {
        u.reads_full |= bit(6);
        if (i.mode() == kModeInd) u.reads_full |= bit(src);
        u.defines |= kCallerSaved;
      }
      break;
    case kClassJmp:
    case kClassJmp32:
      if (i.is_exit()) {
        u.reads_full |= bit(0);
      } else if (i.is_call()) {
        u.reads_full |= kArgs;
        u.defines |= kCallerSaved;
      } else if (!i.is_unconditional_jump() && i.cls() == kClassJmp) {
        u.reads_full |= bit(dst);
        if (i.source() == kSrcX) u.reads_full |= bit(src);
      }
      break;
    default:
      break;
  }
  return u;
}

AccessBase access_base_of(const RegisterState& reg) {
  switch (reg.type) {
    case RegType::Stack:
      return AccessBase::Stack;
    case RegType::Ctx:
      return AccessBase::Context;
    case RegType::Packet:
    case RegType::PacketMeta:
      return AccessBase::Packet;
    case RegType::MapValue:
      return AccessBase::MapValue;
    case RegType::Mem:
    case RegType::MapKey:
      return AccessBase::Memory;
    case RegType::Socket:
    case RegType::SockCommon:
    case RegType::TcpSock:
    case RegType::BtfId:
      return AccessBase::Kernel;
    default:  // not a pointer one may access through: the access is refused anyway
      return AccessBase::Mixed;
  }
}

// Instructions that write only the low half of their destination (then zero-extend).
bool defines_low_half(const Instruction& i) {
  if (i.cls() == kClassAlu) return !(i.op() == kAluEnd && i.imm == 64);
  if (i.cls() == kClassLdx) return i.mode() == kModeMem && i.size() != kSizeDw;
  return false;
}

// A map-in-map's inner map definition: a map pointer the verifier tracks under its index came
// from a lookup in the outer map, and at run time it is whichever map the slot holds (of the
// same shape), so no call is pinned to it.
bool inner_map_template(const AnalysisContext& ctx, int32_t map) {
  for (const auto& def : ctx.maps) {
    if (def.inner_map_index == map) return true;
  }
  return false;
}

}  // namespace

FactsBuilder::FactsBuilder(size_t insn_count) : acc_(insn_count) {}

void FactsBuilder::record_state(int32_t insn, const Instruction& i, const VerifierState& s) {
  Accumulator& a = acc_[insn];
  a.reached = true;
  for (int r = 0; r < kRegisterCount; ++r) {
    const RegisterState& reg = s.reg(r);
    if (a.status[r] == kVaries) continue;
    if (!reg.is_const()) {
      a.status[r] = kVaries;
    } else if (a.status[r] == kUnset) {
      a.status[r] = kConst;
      a.value[r] = reg.value.const_value();
    } else if (a.value[r] != reg.value.const_value()) {
      a.status[r] = kVaries;
    }
  }
  int base = -1;
  if (i.cls() == kClassLdx) base = i.src();
  if (i.cls() == kClassSt || i.cls() == kClassStx) base = i.dst();
  if (base >= 0) {
    const RegisterState& ptr = s.reg(base);
    if (ptr.is_packet_pointer()) {
      a.via_packet = true;
    } else {
      a.via_other = true;
    }
    const AccessBase kind = access_base_of(ptr);
    if (a.base == AccessBase::None) {
      a.base = kind;
    } else if (a.base != kind) {
      a.base = AccessBase::Mixed;
    }
  }
  if (i.is_call() && i.src() == kCallHelper && a.map_status != kVaries) {
    const RegisterState& r1 = s.reg(1);
    if (r1.type != RegType::MapPtr || r1.map < 0 || (a.map_status == kConst && a.map != r1.map)) {
      a.map_status = kVaries;
    } else {
      a.map_status = kConst;
      a.map = r1.map;
    }
  }
  if (is_map_lookup(i)) record_lookup_key(a, s);
  if (defines_low_half(i)) {
    const RegisterState& dst = s.reg(i.dst());
    if (!(dst.is_scalar() && dst.value.u64.max <= 0xffffffffULL)) a.upper_zero = false;
  }
}

void FactsBuilder::record_lookup_key(Accumulator& a, const VerifierState& s) {
  if (a.key_at_status == kVaries) return;
  const RegisterState& r2 = s.reg(2);
  const bool fixed = r2.type == RegType::Stack && r2.has_const_offset();
  const int64_t offset = fixed ? r2.const_offset() : 0;
  if (!fixed || (a.key_at_status == kConst &&
                 (a.key_frame != r2.frame || a.key_offset != offset || a.key_depth != s.depth()))) {
    a.key_at_status = kVaries;
    return;
  }
  a.key_at_status = kConst;
  a.key_frame = r2.frame;
  a.key_offset = offset;
  a.key_depth = s.depth();
  // The key bytes the recorded states show are not taken, not even zero bytes: a path pruned
  // before the key's store (at a checkpoint where the stored register's value was not needed)
  // stores a number no recorded state shows. The value ranges (register_ranges.h), which
  // prune nothing, tell.
}

std::optional<U32Range> FactsBuilder::key_in_frame(const AnalysisContext& ctx, int32_t call,
                                                   int64_t key_offset,
                                                   KeyAnalysis& analysis) const {
  const int32_t function = ctx.cfg.function_of(call);
  auto [it, added] = analysis.ranges.try_emplace(function);
  if (added) {
    // Only a store whose base was a stack pointer on some path may write the frame; an
    // instruction the exploration never reached (None) is assumed to.
    const auto writes_no_stack = [this](int32_t at) {
      const AccessBase base = acc_[static_cast<size_t>(at)].base;
      return base != AccessBase::Stack && base != AccessBase::Mixed && base != AccessBase::None;
    };
    it->second = register_ranges(ctx, function, writes_no_stack);
  }
  if (it->second.empty()) return std::nullopt;  // too large to analyse
  const auto& before = it->second[call - ctx.cfg.functions()[function].start];
  if (!before) return std::nullopt;
  for (const StoredValue& slot : before->slots) {
    if (slot.offset != key_offset) continue;
    const Scalar key = slot.value.truncate(kKeyBytes);  // little-endian: the low bytes
    return U32Range{static_cast<uint32_t>(key.u64.min), static_cast<uint32_t>(key.u64.max)};
  }
  return std::nullopt;
}

void FactsBuilder::record_packet_proof(int32_t insn, int32_t proof) {
  if (proof < 0) return;
  auto& proofs = acc_[insn].proofs;
  if (std::find(proofs.begin(), proofs.end(), proof) == proofs.end()) proofs.push_back(proof);
}

void FactsBuilder::record_edges(int32_t insn, bool taken, bool fallthrough) {
  acc_[insn].edge_taken = acc_[insn].edge_taken || taken;
  acc_[insn].edge_fallthrough = acc_[insn].edge_fallthrough || fallthrough;
}

void FactsBuilder::record_stack_depth(int32_t function, int32_t depth) {
  if (function < 0) return;
  if (static_cast<size_t>(function) >= stack_depths_.size()) stack_depths_.resize(function + 1);
  stack_depths_[function] =
      std::max<uint32_t>(stack_depths_[function], static_cast<uint32_t>(depth));
}

uint32_t FactsBuilder::combined_stack_depth(const AnalysisContext& ctx) const {
  const auto& functions = ctx.cfg.functions();
  std::vector<int64_t> memo(functions.size(), -1);
  const auto own = [&](size_t f) {
    const uint32_t d = f < stack_depths_.size() ? stack_depths_[f] : 0;
    return (std::max<uint32_t>(d, 1) + 31) / 32 * 32;
  };
  std::function<int64_t(size_t, int)> depth = [&](size_t f, int level) -> int64_t {
    if (memo[f] >= 0) return memo[f];
    if (level > kMaxFrames) return 0;  // recursion is refused by the frame limit
    int64_t deepest_callee = 0;
    for (int32_t i = functions[f].start; i < functions[f].end; ++i) {
      const Instruction& insn = ctx.insns[i];
      if (ctx.cfg.is_lddw_tail(i) || !insn.is_local_call()) continue;
      const auto callee = static_cast<size_t>(ctx.cfg.function_of(i + insn.imm + 1));
      deepest_callee = std::max(deepest_callee, depth(callee, level + 1));
    }
    return memo[f] = own(f) + deepest_callee;
  };
  return functions.empty() ? 0 : static_cast<uint32_t>(depth(0, 1));
}

ProgramFacts FactsBuilder::finish(const AnalysisContext& ctx,
                                  const std::vector<uint64_t>& loop_executions) const {
  const auto n = static_cast<int32_t>(acc_.size());
  ProgramFacts facts(acc_.size());
  KeyAnalysis key_analysis;
  for (int32_t i = 0; i < n; ++i) {
    const Accumulator& a = acc_[i];
    InstructionFacts& f = facts.mutable_at(i);
    f.reachable = a.reached;
    f.second_slot = ctx.cfg.is_lddw_tail(i);
    for (int r = 0; r < kRegisterCount; ++r) {
      if (a.status[r] == kConst) f.constants[r] = a.value[r];
    }
    f.packet.through_packet = a.via_packet;
    f.packet.only_packet = a.via_packet && !a.via_other;
    f.access_base = a.base;
    if (a.map_status == kConst && !inner_map_template(ctx, a.map)) f.helper_map = a.map;
    if (a.key_at_status == kConst && a.key_frame == a.key_depth && is_map_lookup(ctx.insns[i])) {
      f.lookup_key = key_in_frame(ctx, i, a.key_offset, key_analysis);
    }
    f.packet.bounds_checks = a.proofs;
    std::sort(f.packet.bounds_checks.begin(), f.packet.bounds_checks.end());
    f.upper_half_zero_before = a.reached && defines_low_half(ctx.insns[i]) && a.upper_zero;
    const Instruction& insn = ctx.insns[i];
    const bool conditional = (insn.is_branch() && !insn.is_unconditional_jump()) ||
                             (ctx.assumptions != nullptr && ctx.assumptions->count(i) != 0);
    if (a.reached && conditional && a.edge_taken != a.edge_fallthrough) {
      f.branch_always_taken = a.edge_taken;
    }
  }

  // Backward liveness of the upper 32 bits of each register (calls read their arguments,
  // exits read R0; every definition kills).
  std::vector<RegMask> live_in(n, 0);
  std::vector<RegMask> live_out(n, 0);
  for (bool changed = true; changed;) {
    changed = false;
    for (int32_t i = n - 1; i >= 0; --i) {
      if (ctx.cfg.is_lddw_tail(i)) continue;
      const Instruction& insn = ctx.insns[i];
      RegMask out = 0;
      const auto add = [&](int32_t s) {
        if (s >= 0 && s < n) out |= live_in[s];
      };
      if (!insn.is_exit()) {
        if (insn.is_branch()) add(static_cast<int32_t>(i + insn.branch_offset() + 1));
        if (!insn.is_unconditional_jump()) add(i + (insn.is_lddw() ? 2 : 1));
      }
      const UpperUse u = upper_use(insn);
      const RegMask in = static_cast<RegMask>((out & ~u.defines) | u.reads_full);
      if (in != live_in[i] || out != live_out[i]) {
        live_in[i] = in;
        live_out[i] = out;
        changed = true;
      }
    }
  }
  for (int32_t i = 0; i < n; ++i) {
    const Instruction& insn = ctx.insns[i];
    if (ctx.cfg.is_lddw_tail(i) || !defines_low_half(insn)) continue;
    facts.mutable_at(i).zero_extension_redundant = !(live_out[i] & bit(insn.dst()));
  }

  const auto& heads = ctx.cfg.loop_heads();
  for (size_t k = 0; k < heads.size(); ++k) {
    LoopFacts loop;
    loop.head = heads[k];
    for (const auto& [from, to] : ctx.cfg.back_edges()) {
      if (to == heads[k]) loop.back_edges.push_back(from);
    }
    loop.max_head_executions = k < loop_executions.size() ? loop_executions[k] : 0;
    facts.mutable_loops().push_back(loop);
  }
  for (size_t f = 0; f < ctx.cfg.functions().size(); ++f) {
    FunctionFacts ff;
    ff.start = ctx.cfg.functions()[f].start;
    ff.end = ctx.cfg.functions()[f].end;
    ff.stack_depth = f < stack_depths_.size() ? stack_depths_[f] : 0;
    facts.mutable_functions().push_back(ff);
  }
  facts.set_max_stack_depth(combined_stack_depth(ctx));
  facts.set_reads_only_written_stack(!ctx.options.allow_uninit_stack);
  return facts;
}

}  // namespace nicsim::verifier
