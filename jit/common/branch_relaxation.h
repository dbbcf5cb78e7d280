#pragma once
// Multi-pass branch-offset convergence, for any instruction set whose branches have a short
// form of limited reach and a long one. A backend translates the whole program once per pass;
// before emitting each such branch it asks whether the short form will do. The first pass is
// optimistic; later passes use the previous layout to estimate forward distances, and a
// branch whose short form turned out too short stays long from then on. Because branches only
// ever grow, the layout converges.
//
// x86 (rel8 or rel32 jumps, StableLayout): the pass whose labels and branch choices equal
// those of the pass before is final, so that no long branch would have fitted.
// AArch64 (B.cond / CBZ within +-1 MiB, else an inverted branch over a B, FirstFit): long
// branches are rare, and the first pass in which every short branch reaches is final.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "jit/common/code_buffer.h"

namespace nicsim::jit {

// The displacements a short branch can hold, measured from its first byte or past its last.
struct ShortBranchReach {
  enum class Origin : uint8_t { BranchStart, BranchEnd };
  int64_t min = INT8_MIN;
  int64_t max = INT8_MAX;
  Origin origin = Origin::BranchEnd;

  bool fits(int64_t displacement) const { return displacement >= min && displacement <= max; }
  static constexpr ShortBranchReach rel8() { return {INT8_MIN, INT8_MAX, Origin::BranchEnd}; }
};

enum class Convergence : uint8_t {
  StableLayout,  // final when a pass repeats the previous layout: the smallest code
  FirstFit,      // final when every short branch of a pass reaches: the fewest passes
};

struct RelaxationPolicy {
  ShortBranchReach reach = ShortBranchReach::rel8();
  Convergence convergence = Convergence::StableLayout;
  // After this many passes without convergence every branch is made long, which converges
  // in at most two more passes.
  int max_passes = 16;
};

class BranchRelaxer {
 public:
  explicit BranchRelaxer(RelaxationPolicy policy = {}) : policy_(policy) {}

  void begin_pass();
  // Called with the buffer positioned where a branch to `target` is about to be emitted; its
  // short form is `short_length` bytes long, its long form `long_length` bytes long.
  bool use_short(const CodeBuffer& code, Label target, size_t short_length, size_t long_length);
  // Ends the pass; true when this pass's layout is final.
  bool end_pass(const CodeBuffer& code);

  int passes() const { return passes_; }
  size_t short_branches() const;
  size_t long_branches() const;

 private:
  struct Site {
    size_t offset;
    Label target;
    size_t short_length;
    size_t long_length;
    bool is_short;
    size_t end() const { return offset + (is_short ? short_length : long_length); }
  };

  // Where the short form's displacement is measured from, for a branch at `offset`.
  size_t origin(size_t offset, size_t short_length) const {
    return policy_.reach.origin == ShortBranchReach::Origin::BranchEnd ? offset + short_length
                                                                       : offset;
  }

  RelaxationPolicy policy_;
  int passes_ = 0;
  bool force_long_ = false;
  std::vector<bool> sticky_long_;  // by branch ordinal within a pass
  std::vector<Site> sites_;
  std::vector<Site> previous_sites_;
  std::vector<int64_t> previous_labels_;
  size_t previous_size_ = 0;
};

}  // namespace nicsim::jit
