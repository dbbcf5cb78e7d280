#pragma once
// Multi-pass branch-offset convergence. A backend translates the whole program once per pass;
// before emitting each branch it asks whether the short (8-bit displacement) form will do.
// The first pass is optimistic; later passes use the previous layout to estimate forward
// distances, and a branch whose short form turned out too short stays long from then on.
// Because branches only ever grow, the layout converges: the pass whose labels and branch
// choices equal those of the pass before is final, and all its short branches fit.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "jit/common/code_buffer.h"

namespace nicsim::jit {

class BranchRelaxer {
 public:
  // After `max_passes` passes without convergence every branch is made long, which converges
  // in at most two more passes.
  explicit BranchRelaxer(int max_passes = 16) : max_passes_(max_passes) {}

  void begin_pass();
  // Called with the buffer positioned where a branch to `target` is about to be emitted; its
  // short form is `short_length` bytes long with the rel8 field last, its long form
  // `long_length` bytes long.
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

  int max_passes_;
  int passes_ = 0;
  bool force_long_ = false;
  std::vector<bool> sticky_long_;  // by branch ordinal within a pass
  std::vector<Site> sites_;
  std::vector<Site> previous_sites_;
  std::vector<int64_t> previous_labels_;
  size_t previous_size_ = 0;
};

}  // namespace nicsim::jit
