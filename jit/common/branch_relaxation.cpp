#include "jit/common/branch_relaxation.h"

#include <algorithm>

#include "jit/common/jit_error.h"

namespace nicsim::jit {

void BranchRelaxer::begin_pass() {
  sites_.clear();
}

bool BranchRelaxer::use_short(const CodeBuffer& code, Label target, size_t short_length,
                              size_t long_length) {
  const size_t ordinal = sites_.size();
  if (sticky_long_.size() <= ordinal) sticky_long_.resize(ordinal + 1, false);
  const size_t here = code.size();
  bool is_short;
  if (force_long_ || sticky_long_[ordinal]) {
    is_short = false;
  } else if (code.is_bound(target)) {
    // Backward branch: the distance is exact.
    is_short = policy_.reach.fits(static_cast<int64_t>(code.offset_of(target)) -
                                  static_cast<int64_t>(origin(here, short_length)));
  } else if (ordinal < previous_sites_.size() && target.id < previous_labels_.size() &&
             previous_labels_[target.id] != CodeBuffer::kUnbound) {
    // Forward branch: the previous layout gives the distance exactly unless other code
    // moved, once the branch's own growth (if it was long) is taken out.
    const Site& previous = previous_sites_[ordinal];
    const size_t growth = previous.is_short ? 0 : previous.long_length - previous.short_length;
    is_short = policy_.reach.fits(previous_labels_[target.id] - static_cast<int64_t>(growth) -
                                  static_cast<int64_t>(origin(previous.offset, short_length)));
  } else {
    is_short = true;  // first pass: optimistic
  }
  sites_.push_back(Site{here, target, short_length, long_length, is_short});
  return is_short;
}

bool BranchRelaxer::end_pass(const CodeBuffer& code) {
  ++passes_;
  bool changed = false;
  for (size_t i = 0; i < sites_.size(); ++i) {
    const Site& site = sites_[i];
    if (!site.is_short) continue;
    const int64_t displacement = static_cast<int64_t>(code.offset_of(site.target)) -
                                 static_cast<int64_t>(origin(site.offset, site.short_length));
    if (!policy_.reach.fits(displacement)) {
      sticky_long_[i] = true;
      changed = true;
    }
  }
  const bool same_layout = !changed && previous_size_ == code.size() &&
                           previous_labels_ == code.label_offsets() &&
                           previous_sites_.size() == sites_.size() &&
                           std::equal(sites_.begin(), sites_.end(), previous_sites_.begin(),
                                      [](const Site& a, const Site& b) {
                                        return a.offset == b.offset && a.is_short == b.is_short;
                                      });
  previous_labels_ = code.label_offsets();
  previous_sites_ = sites_;
  previous_size_ = code.size();
  if (same_layout || (policy_.convergence == Convergence::FirstFit && !changed)) return true;
  if (passes_ >= policy_.max_passes) {
    if (passes_ >= policy_.max_passes + 3)
      throw JitError("jit: branch layout did not converge (code generation is not deterministic)");
    force_long_ = true;
  }
  return false;
}

size_t BranchRelaxer::short_branches() const {
  return static_cast<size_t>(std::count_if(previous_sites_.begin(), previous_sites_.end(),
                                           [](const Site& s) { return s.is_short; }));
}

size_t BranchRelaxer::long_branches() const {
  return previous_sites_.size() - short_branches();
}

}  // namespace nicsim::jit
