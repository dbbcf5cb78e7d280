#include "jit/common/unread_definitions.h"

#include "ebpf/isa/opcodes.h"

namespace nicsim::jit {

using namespace ebpf;

namespace {

constexpr RegisterMask bit(int r) {
  return static_cast<RegisterMask>(1U << r);
}
constexpr RegisterMask kArguments = bit(1) | bit(2) | bit(3) | bit(4) | bit(5);
constexpr RegisterMask kCallerSaved = bit(0) | kArguments;
constexpr RegisterMask kAll = 0x07ff;

struct Use {
  RegisterMask reads = 0;
  RegisterMask defines = 0;
  bool removable = false;  // no effect besides defining its register
};

Use use_of(const Instruction& i, RegisterMask call_reads) {
  Use u;
  const RegisterMask dst = bit(i.dst());
  const RegisterMask src = bit(i.src());
  switch (i.cls()) {
    case kClassAlu:
    case kClassAlu64:
      u.removable = true;
      u.defines = dst;
      if (i.op() != kAluMov) u.reads |= dst;
      if (i.source() == kSrcX && i.op() != kAluEnd && i.op() != kAluNeg) u.reads |= src;
      break;
    case kClassLdx:
      u.reads = src;
      u.defines = dst;
      break;
    case kClassSt:
      u.reads = dst;
      break;
    case kClassStx:
      u.reads = dst | src;
      if (i.mode() == kModeAtomic && (i.imm & kAtomicFetch)) {
        u.defines = i.imm == kAtomicCmpxchg ? bit(0) : src;
        if (i.imm == kAtomicCmpxchg) u.reads |= bit(0);
      }
      break;
    case kClassLd:
      if (i.is_lddw()) {
        u.removable = true;
        u.defines = dst;
      } else {  // legacy packet loads: the context in r6, r0 the result, r1..r5 scratch
        u.reads = bit(6) | (i.mode() == kModeInd ? src : 0);
        u.defines = kCallerSaved;
      }
      break;
    default:  // jumps, calls, exit
      if (i.is_exit()) {
        u.reads = bit(0);
      } else if (i.is_callx()) {
        u.reads = kAll;
        u.defines = kCallerSaved;
      } else if (i.is_call()) {
        u.reads = i.src() == kCallHelper ? call_reads : kArguments;
        u.defines = kCallerSaved;
      } else if (!i.is_unconditional_jump()) {
        u.reads = dst | (i.source() == kSrcX ? src : 0);
      }
      break;
  }
  return u;
}

}  // namespace

std::vector<bool> unread_definitions(const std::vector<Instruction>& insns,
                                     const std::vector<bool>& reachable,
                                     const std::function<RegisterMask(size_t)>& call_reads) {
  const size_t n = insns.size();
  std::vector<Use> uses(n);
  std::vector<bool> second_slot(n, false);
  for (size_t i = 0; i < n; i += insns[i].is_lddw() ? 2 : 1) {
    if (insns[i].is_lddw() && i + 1 < n) second_slot[i + 1] = true;
    const bool helper = insns[i].is_call() && insns[i].src() == kCallHelper;
    uses[i] = use_of(insns[i], helper ? call_reads(i) : kArguments);
  }
  const auto live_in_of = [&](const std::vector<RegisterMask>& live_in, int64_t s) {
    return s >= 0 && static_cast<size_t>(s) < n ? live_in[s] : RegisterMask{0};
  };
  std::vector<RegisterMask> live_in(n, 0);
  std::vector<RegisterMask> live_out(n, 0);
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t k = n; k-- > 0;) {
      if (second_slot[k] || !reachable[k]) continue;
      const Instruction& i = insns[k];
      RegisterMask out = 0;
      const auto at = static_cast<int64_t>(k);
      if (!i.is_exit()) {
        if (i.is_branch()) out |= live_in_of(live_in, at + i.branch_offset() + 1);
        if (!i.is_unconditional_jump()) out |= live_in_of(live_in, at + (i.is_lddw() ? 2 : 1));
      }
      const Use& u = uses[k];
      const bool unread = u.removable && (out & u.defines) == 0;
      const auto in = unread ? out : static_cast<RegisterMask>((out & ~u.defines) | u.reads);
      if (in != live_in[k] || out != live_out[k]) {
        live_in[k] = in;
        live_out[k] = out;
        changed = true;
      }
    }
  }
  std::vector<bool> unread(n, false);
  for (size_t k = 0; k < n; ++k) {
    const Use& u = uses[k];
    unread[k] = !second_slot[k] && reachable[k] && u.removable && (live_out[k] & u.defines) == 0;
  }
  return unread;
}

}  // namespace nicsim::jit
