#include "verifier/analysis/cfg.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "verifier/analysis/verify_error.h"

namespace nicsim::verifier {
namespace {

using ebpf::Instruction;

bool is_func_lddw(const Instruction& insn) {
  return insn.is_lddw() && insn.src() == ebpf::kLddwFunc;
}

// Where control may go after `i` (call targets excluded: they are separate functions).
void successors(std::span<const Instruction> insns, int32_t i, std::vector<int32_t>& out) {
  out.clear();
  const Instruction& insn = insns[i];
  const auto n = static_cast<int32_t>(insns.size());
  if (insn.is_exit()) return;
  if (insn.is_branch()) {
    out.push_back(static_cast<int32_t>(i + insn.branch_offset() + 1));
    if (insn.is_unconditional_jump()) return;
  }
  const int32_t next = i + (insn.is_lddw() ? 2 : 1);
  if (next < n) out.push_back(next);
}

}  // namespace

int32_t ControlFlow::function_starting_at(int32_t insn) const {
  for (size_t f = 0; f < functions_.size(); ++f) {
    if (functions_[f].start == insn) return static_cast<int32_t>(f);
  }
  return -1;
}

ControlFlow ControlFlow::build(std::span<const Instruction> insns,
                               const std::vector<std::pair<size_t, std::string>>& named_functions,
                               const CfgOptions& options) {
  const auto n = static_cast<int32_t>(insns.size());
  if (n == 0) throw VerifyError(0, "the program has no instructions");
  ControlFlow cfg;
  cfg.function_of_.assign(n, 0);
  cfg.prune_point_.assign(n, 0);
  cfg.loop_head_.assign(n, 0);
  cfg.lddw_tail_.assign(n, 0);
  cfg.reachable_.assign(n, 0);

  std::set<int32_t> starts = {0};
  for (const auto& [start, name] : named_functions) {
    if (static_cast<int32_t>(start) < n) starts.insert(static_cast<int32_t>(start));
  }
  for (int32_t i = 0; i < n; ++i) {
    const Instruction& insn = insns[i];
    if (insn.is_lddw() && i + 1 < n) cfg.lddw_tail_[i + 1] = 1;
    if (insn.is_local_call() || is_func_lddw(insn)) {
      const int64_t target = int64_t{i} + insn.imm + 1;
      if (target < 0 || target >= n) throw VerifyError(i, "call to invalid destination");
      starts.insert(static_cast<int32_t>(target));
    }
  }
  for (auto it = starts.begin(); it != starts.end(); ++it) {
    Function f;
    f.start = *it;
    f.end = std::next(it) == starts.end() ? n : *std::next(it);
    for (const auto& [start, name] : named_functions) {
      if (static_cast<int32_t>(start) == f.start) f.name = name;
    }
    if (f.name.empty()) f.name = fmt::format("func#{}", cfg.functions_.size());
    for (int32_t i = f.start; i < f.end; ++i) {
      cfg.function_of_[i] = static_cast<int32_t>(cfg.functions_.size());
    }
    cfg.functions_.push_back(std::move(f));
  }

  // Jumps stay inside their function, and no function runs off its end.
  for (const Function& f : cfg.functions_) {
    for (int32_t i = f.start; i < f.end; ++i) {
      if (cfg.lddw_tail_[i]) continue;
      const Instruction& insn = insns[i];
      if (insn.is_branch()) {
        const int64_t target = int64_t{i} + insn.branch_offset() + 1;
        if (target < f.start || target >= f.end) {
          throw VerifyError(i, fmt::format("jump out of range from insn {} to {}", i, target));
        }
      }
    }
    int32_t last = f.end - 1;
    if (cfg.lddw_tail_[last]) --last;
    const Instruction& tail = insns[last];
    if (!options.allow_fall_off_end && !tail.is_exit() && !tail.is_unconditional_jump()) {
      throw VerifyError(last, "last insn is not an exit or jmp");
    }
  }

  // Depth-first walk from every function entry reachable from the program entry: marks
  // reachable instructions, back-edges (loops) and prune points.
  enum Color : uint8_t { kWhite, kGrey, kBlack };
  std::vector<uint8_t> color(n, kWhite);
  std::vector<int32_t> entries = {0};
  std::vector<uint8_t> entered(cfg.functions_.size(), 0);
  entered[0] = 1;
  std::vector<int32_t> next;
  struct FrameOfWalk {
    int32_t insn;
    std::vector<int32_t> succ;
    size_t pos;
  };
  while (!entries.empty()) {
    const int32_t entry = entries.back();
    entries.pop_back();
    cfg.prune_point_[entry] = 1;
    if (color[entry] != kWhite) continue;
    std::vector<FrameOfWalk> stack;
    successors(insns, entry, next);
    stack.push_back({entry, next, 0});
    color[entry] = kGrey;
    while (!stack.empty()) {
      FrameOfWalk& top = stack.back();
      const int32_t i = top.insn;
      cfg.reachable_[i] = 1;
      const Instruction& insn = insns[i];
      if (top.pos == 0) {
        if (insn.is_local_call() || is_func_lddw(insn)) {
          const int32_t callee = cfg.function_of_[i + insn.imm + 1];
          if (!entered[callee]) {
            entered[callee] = 1;
            entries.push_back(cfg.functions_[callee].start);
          }
          if (insn.is_local_call()) cfg.prune_point_[i] = 1;
        }
        // The kernel's prune points: every call's return site, a conditional jump itself
        // (one comparison covers both of its sides) and every jump target.
        if (insn.is_call() && i + 1 < n) cfg.prune_point_[i + 1] = 1;
        if (insn.is_branch()) {
          cfg.prune_point_[i + insn.branch_offset() + 1] = 1;
          if (!insn.is_unconditional_jump()) cfg.prune_point_[i] = 1;
        }
      }
      if (top.pos == top.succ.size()) {
        color[i] = kBlack;
        stack.pop_back();
        continue;
      }
      const int32_t s = top.succ[top.pos++];
      if (color[s] == kGrey) {
        cfg.back_edges_.emplace_back(i, s);
        cfg.loop_head_[s] = 1;
      } else if (color[s] == kWhite) {
        color[s] = kGrey;
        successors(insns, s, next);
        stack.push_back({s, next, 0});
      }
    }
  }
  for (int32_t i = 0; i < n; ++i) {
    if (cfg.loop_head_[i]) cfg.loop_heads_.push_back(i);
  }
  if (options.reject_unreachable) {
    for (int32_t i = 0; i < n; ++i) {
      if (!cfg.reachable_[i] && !cfg.lddw_tail_[i]) {
        throw VerifyError(i, fmt::format("unreachable insn {}", i));
      }
    }
  }
  return cfg;
}

}  // namespace nicsim::verifier
