// The compiler's own facts when the verifier's are not available: a forward analysis of the
// eBPF program that tracks packet pointers (data + [lo, hi]), data_end and small constants, and
// the length the packet is proven to have (data + n <= data_end) at each instruction. A bounds
// check whose outcome that length decides on every path is a fact; so is an instruction no
// path reaches.

#include <algorithm>
#include <map>
#include <optional>
#include <span>

#include "ebpf/runtime/helpers.h"
#include "jit/nic/facts.h"

namespace nicsim::jit::nic {

using ebpf::Instruction;

namespace {

constexpr int64_t kLimit = 1 << 16;  // offsets beyond this are not tracked

enum class Kind : uint8_t { Unknown, Context, Data, End, Scalar };

struct Value {
  Kind kind = Kind::Unknown;
  int64_t lo = 0;
  int64_t hi = 0;
  friend bool operator==(const Value&, const Value&) = default;
};

struct State {
  std::array<Value, 11> regs{};
  int64_t length = 0;  // data + length <= data_end holds
  friend bool operator==(const State&, const State&) = default;
};

Value join(const Value& a, const Value& b) {
  if (a.kind != b.kind) return {};
  if (a.kind == Kind::Data || a.kind == Kind::Scalar)
    return {a.kind, std::min(a.lo, b.lo), std::max(a.hi, b.hi)};
  return a;
}

bool in_range(int64_t v) {
  return v > -kLimit && v < kLimit;
}

Value add(const Value& a, const Value& b) {
  if (a.kind == Kind::Data && b.kind == Kind::Scalar) {
    const Value r{Kind::Data, a.lo + b.lo, a.hi + b.hi};
    return in_range(r.lo) && in_range(r.hi) ? r : Value{};
  }
  if (a.kind == Kind::Scalar && b.kind == Kind::Data) return add(b, a);
  if (a.kind == Kind::Scalar && b.kind == Kind::Scalar) {
    const Value r{Kind::Scalar, a.lo + b.lo, a.hi + b.hi};
    return in_range(r.lo) && in_range(r.hi) ? r : Value{};
  }
  return {};
}

Value scalar(int64_t v) {
  return in_range(v) ? Value{Kind::Scalar, v, v} : Value{};
}

// What a 64-bit comparison `left cond right` between a data pointer and data_end says about the
// packet length: the packet is at least `min_if_taken` / `min_if_not` long on each edge, and the
// branch is decided when the proven length settles it.
struct BoundsCheck {
  bool is_check = false;
  std::optional<bool> outcome;
  int64_t min_if_taken = 0;
  int64_t min_if_not = 0;
};

BoundsCheck classify(uint8_t op, Value left, Value right, int64_t length) {
  BoundsCheck c;
  // Normalise to "data + off  <op>  data_end".
  if (left.kind == Kind::End && right.kind == Kind::Data) {
    std::swap(left, right);
    switch (op) {
      case ebpf::kJmpJgt:
        op = ebpf::kJmpJlt;
        break;
      case ebpf::kJmpJge:
        op = ebpf::kJmpJle;
        break;
      case ebpf::kJmpJlt:
        op = ebpf::kJmpJgt;
        break;
      case ebpf::kJmpJle:
        op = ebpf::kJmpJge;
        break;
      default:
        return c;
    }
  }
  if (left.kind != Kind::Data || right.kind != Kind::End) return c;
  // data + off > end  <=>  length < off
  const auto fails_below = [&](int64_t threshold, bool taken_when_short) {
    c.is_check = true;
    const int64_t lo = left.lo, hi = left.hi;
    const bool always_long = length >= hi + threshold;  // length >= off + t for every off
    if (always_long) c.outcome = !taken_when_short;
    const int64_t proven = lo + threshold;  // on the "long" edge: length >= off + t >= lo + t
    if (taken_when_short)
      c.min_if_not = proven;
    else
      c.min_if_taken = proven;
  };
  switch (op) {
    case ebpf::kJmpJgt:
      fails_below(0, true);
      break;  // off > len: short when len < off
    case ebpf::kJmpJge:
      fails_below(1, true);
      break;  // off >= len: short when len < off + 1
    case ebpf::kJmpJle:
      fails_below(0, false);
      break;  // off <= len: long when len >= off
    case ebpf::kJmpJlt:
      fails_below(1, false);
      break;  // off < len: long when len >= off + 1
    default:
      break;
  }
  return c;
}

class Analysis {
 public:
  explicit Analysis(const ebpf::Program& program) : insns_(program.insns) {}

  ProgramFacts run(bool xdp) {
    ProgramFacts facts;
    facts.source = "local analysis";
    facts.insns.resize(insns_.size());
    for (auto& f : facts.insns)
      f.reachable = false;
    if (insns_.empty()) return facts;
    State entry;
    if (xdp) entry.regs[1] = {Kind::Context, 0, 0};
    std::map<size_t, State> in;  // state before each instruction that starts a path
    std::vector<size_t> work = {0};
    in[0] = entry;
    std::vector<int> visits(insns_.size(), 0);
    std::vector<std::optional<bool>> outcome(insns_.size());
    std::vector<bool> decided_everywhere(insns_.size(), true);
    in_bounds_.assign(insns_.size(), -1);
    while (!work.empty()) {
      const size_t start = work.back();
      work.pop_back();
      State state = in[start];
      for (size_t i = start; i < insns_.size();) {
        facts.insns[i].reachable = true;
        const Instruction& insn = insns_[i];
        if (insn.is_exit()) break;
        if (insn.is_lddw()) {
          facts.insns[i + 1].reachable = true;
          state.regs[insn.dst()] = insn.src() == ebpf::kLddwImm64 ? scalar(insn.imm) : Value{};
          if (insn.src() == ebpf::kLddwImm64 && insns_[i + 1].imm != 0) state.regs[insn.dst()] = {};
          i += 2;
          continue;
        }
        if (insn.is_branch()) {
          const size_t target =
              static_cast<size_t>(static_cast<int64_t>(i) + 1 + insn.branch_offset());
          if (insn.is_unconditional_jump()) {
            flow(target, state, in, work, visits);
            break;
          }
          State taken = state, not_taken = state;
          bool take = true, fall = true;
          if (insn.cls() == ebpf::kClassJmp && insn.source() == ebpf::kSrcX) {
            const BoundsCheck c =
                classify(insn.op(), state.regs[insn.dst()], state.regs[insn.src()], state.length);
            if (c.is_check) {
              facts.insns[i].bounds_check = true;
              if (!c.outcome)
                decided_everywhere[i] = false;
              else if (outcome[i] && *outcome[i] != *c.outcome)
                decided_everywhere[i] = false;
              else
                outcome[i] = c.outcome;
              taken.length = std::max(taken.length, c.min_if_taken);
              not_taken.length = std::max(not_taken.length, c.min_if_not);
              if (c.outcome) (*c.outcome ? fall : take) = false;
            } else {
              decided_everywhere[i] = false;
            }
          } else {
            decided_everywhere[i] = false;
          }
          if (take) flow(target, taken, in, work, visits);
          if (!fall) break;
          flow(i + 1, not_taken, in, work, visits);
          break;
        }
        record_access(insn, state, i);
        step(insn, state);
        ++i;
      }
    }
    for (size_t i = 0; i < insns_.size(); ++i) {
      facts.insns[i].access_in_bounds = in_bounds_[i] == 1;
      if (facts.insns[i].bounds_check && decided_everywhere[i] && outcome[i])
        facts.insns[i].branch = *outcome[i] ? BranchFact::AlwaysTaken : BranchFact::NeverTaken;
    }
    return facts;
  }

 private:
  // Merges `state` into the state before `target`; queues it when that changed.
  void flow(size_t target, const State& state, std::map<size_t, State>& in,
            std::vector<size_t>& work, std::vector<int>& visits) {
    if (target >= insns_.size()) return;
    auto it = in.find(target);
    if (it == in.end()) {
      in.emplace(target, state);
      work.push_back(target);
      return;
    }
    State merged;
    merged.length = std::min(it->second.length, state.length);
    for (size_t r = 0; r < merged.regs.size(); ++r)
      merged.regs[r] = join(it->second.regs[r], state.regs[r]);
    if (++visits[target] > 32) {  // loops: give up on what keeps changing
      for (size_t r = 0; r < merged.regs.size(); ++r) {
        if (merged.regs[r] != it->second.regs[r]) merged.regs[r] = {};
      }
      if (merged.length != it->second.length) merged.length = 0;
    }
    if (merged == it->second) return;
    it->second = merged;
    work.push_back(target);
  }

  static void step(const Instruction& insn, State& state) {
    auto& regs = state.regs;
    const uint8_t d = insn.dst();
    switch (insn.cls()) {
      case ebpf::kClassLdx:
        if (regs[insn.src()].kind == Kind::Context && insn.mode() == ebpf::kModeMem &&
            (insn.size() == ebpf::kSizeW || insn.size() == ebpf::kSizeDw)) {
          if (insn.offset == 0)
            regs[d] = {Kind::Data, 0, 0};
          else if (insn.offset == 4)
            regs[d] = {Kind::End, 0, 0};
          else
            regs[d] = {};
        } else {
          regs[d] = {};
        }
        return;
      case ebpf::kClassAlu64: {
        const Value b = insn.source() == ebpf::kSrcX ? regs[insn.src()] : scalar(insn.imm);
        switch (insn.op()) {
          case ebpf::kAluMov:
            regs[d] = insn.offset == 0 ? b : Value{};
            return;
          case ebpf::kAluAdd:
            regs[d] = add(regs[d], b);
            return;
          case ebpf::kAluSub:
            regs[d] =
                b.kind == Kind::Scalar && b.lo == b.hi ? add(regs[d], scalar(-b.lo)) : Value{};
            return;
          default:
            regs[d] = {};
            return;
        }
      }
      case ebpf::kClassAlu:
        regs[d] = insn.op() == ebpf::kAluMov && insn.source() == ebpf::kSrcK && insn.imm >= 0
                      ? scalar(insn.imm)
                      : Value{};
        return;
      case ebpf::kClassJmp:
        if (insn.is_call()) {
          for (int r = 0; r <= 5; ++r)
            regs[r] = {};
          const int32_t id = insn.imm;
          if (id == ebpf::kHelperXdpAdjustHead || id == ebpf::kHelperXdpAdjustTail ||
              id == ebpf::kHelperXdpAdjustMeta) {
            // The packet moved: every pointer into it and every proven length is stale.
            for (auto& v : regs) {
              if (v.kind == Kind::Data || v.kind == Kind::End) v = {};
            }
            state.length = 0;
          }
        }
        return;
      case ebpf::kClassStx:
        if (insn.mode() == ebpf::kModeAtomic && (insn.imm & ebpf::kAtomicFetch)) {
          if (insn.imm == ebpf::kAtomicCmpxchg)
            regs[0] = {};
          else
            regs[insn.src()] = {};
        }
        return;
      default:
        return;
    }
  }

  // A packet access data + [lo, hi] + off of `size` bytes is in bounds when the proven length
  // covers its far end (and it does not reach before data, into the metadata).
  void record_access(const Instruction& insn, const State& state, size_t i) {
    const uint8_t cls = insn.cls();
    if (insn.mode() != ebpf::kModeMem ||
        (cls != ebpf::kClassLdx && cls != ebpf::kClassSt && cls != ebpf::kClassStx))
      return;
    const Value& base = state.regs[cls == ebpf::kClassLdx ? insn.src() : insn.dst()];
    const int64_t size = ebpf::access_bytes(insn.size());
    const bool proven = base.kind == Kind::Data && base.lo + insn.offset >= 0 &&
                        base.hi + insn.offset + size <= state.length;
    if (!proven)
      in_bounds_[i] = 0;
    else if (in_bounds_[i] < 0)
      in_bounds_[i] = 1;
  }

  std::span<const Instruction> insns_;
  std::vector<int8_t> in_bounds_;  // -1 never seen, 0 not proven on some path, 1 proven
};

}  // namespace

ProgramFacts local_facts(const ebpf::Program& program) {
  return Analysis(program).run(program.type == ebpf::ProgramType::Xdp);
}

}  // namespace nicsim::jit::nic
