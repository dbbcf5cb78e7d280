#pragma once
// Conditional branches of AArch64 (B.cond, CBZ, CBNZ) reach +-1 MiB. The translator runs
// passes until every conditional branch fits: the first pass makes all of them short; a
// branch whose target turned out out of range is long (an inverted branch over a B, which
// reaches +-128 MiB) in every later pass. Branches only grow, so the passes converge; programs
// under about a quarter of a million machine instructions need a single pass.
// (jit/common's BranchRelaxer decides between x86's 8- and 32-bit displacements.)

#include <cstddef>
#include <vector>

namespace nicsim::jit::a64 {

class A64BranchRelaxer {
 public:
  void begin_pass() {
    ordinal_ = 0;
    short_ = long_ = 0;
  }
  // For the next conditional branch of this pass: its ordinal, and whether it is short.
  size_t next_ordinal() { return ordinal_++; }
  bool is_short(size_t ordinal) const {
    return ordinal >= long_by_ordinal_.size() || !long_by_ordinal_[ordinal];
  }
  void count(bool is_short) { ++(is_short ? short_ : long_); }
  void make_long(size_t ordinal) {
    if (long_by_ordinal_.size() <= ordinal) long_by_ordinal_.resize(ordinal + 1, false);
    long_by_ordinal_[ordinal] = true;
  }
  // Ends a pass; `converged` when no branch had to grow.
  void end_pass(bool converged) {
    ++passes_;
    converged_ = converged;
  }

  int passes() const { return passes_; }
  bool converged() const { return converged_; }
  size_t short_branches() const { return short_; }
  size_t long_branches() const { return long_; }

 private:
  std::vector<bool> long_by_ordinal_;
  size_t ordinal_ = 0;
  size_t short_ = 0;
  size_t long_ = 0;
  int passes_ = 0;
  bool converged_ = false;
};

}  // namespace nicsim::jit::a64
