#include "verifier/analysis/explorer.h"

#include <fmt/format.h>

#include <algorithm>

#include "ebpf/asm/disassembler.h"
#include "verifier/analysis/state_printer.h"
#include "verifier/state/state_hash.h"
#include "verifier/state/subsumption.h"

namespace nicsim::verifier {

// A remembered state. `pending` counts the live paths whose latest checkpoint this is plus
// its incomplete child checkpoints; at zero every continuation has been verified and the
// checkpoint may prune. `read` is the liveness: locations its continuations read before
// writing them.
struct Explorer::Checkpoint {
  VerifierState state;
  uint64_t hash = 0;
  int32_t insn = 0;
  Checkpoint* parent = nullptr;
  uint32_t pending = 1;
  LocationSet written_in_segment;  // written between the parent and this checkpoint
  LocationSet read;
  // Scalars whose exact bounds a continuation relied on; the others may differ in a state
  // this checkpoint prunes.
  LocationSet precise;
  std::vector<HistoryEntry> history;  // instructions between the parent and this checkpoint
  uint32_t hits = 0;
  uint32_t misses = 0;
  std::vector<uint32_t> loop_visits_at;  // loop head executions before this point
  std::vector<uint32_t> loop_future;     // most further executions after it
};

// A branch waiting to be explored.
struct Explorer::Path {
  VerifierState state;
  int32_t insn = 0;
  int32_t from = 0;
  Checkpoint* last = nullptr;
  LocationSet written;
  std::vector<HistoryEntry> history;
  std::vector<uint32_t> loop_visits;
};

Explorer::Explorer(const AnalysisContext& context, FactsBuilder& facts,
                   std::vector<std::string>* log)
    : ctx_(context), facts_(facts), log_(log), machine_(context, *this) {
  explored_.resize(ctx_.insns.size());
  loop_index_.assign(ctx_.insns.size(), -1);
  const auto& heads = ctx_.cfg.loop_heads();
  for (size_t k = 0; k < heads.size(); ++k)
    loop_index_[heads[k]] = static_cast<int32_t>(k);
  loop_max_.assign(heads.size(), 0);
}

Explorer::~Explorer() = default;

void Explorer::on_read(size_t location) {
  if (written_.test(location)) return;
  for (Checkpoint* c = last_; c != nullptr; c = c->parent) {
    if (c->read.test(location)) break;
    c->read.set(location);
    if (c->written_in_segment.test(location)) break;
  }
}

void Explorer::on_write(size_t location) {
  written_.set(location);
}

void Explorer::on_packet_access(int32_t insn, int32_t proof) {
  facts_.record_packet_proof(insn, proof);
}

void Explorer::on_stack_depth(int32_t function, int32_t depth) {
  facts_.record_stack_depth(function, depth);
}

void Explorer::log_line(std::string line) {
  if (log_ != nullptr && log_->size() < ctx_.options.max_log_lines)
    log_->push_back(std::move(line));
}

bool Explorer::visit_prune_point(const VerifierState& state, int32_t insn) {
  InsnCheckpoints& at = explored_[insn];
  // Remembering a state costs memory and later comparisons; like the kernel, skip it when
  // little happened since the last one (more so inside a loop being unrolled).
  const bool in_loop = !at.in_flight.empty();
  const uint64_t insns = stats_.instructions_processed - insns_at_last_checkpoint_;
  const uint64_t jumps = jumps_processed_ - jumps_at_last_checkpoint_;
  const bool add_checkpoint =
      ctx_.options.checkpoint_every_prune_point ||
      (in_loop ? (jumps >= 20 || insns >= 100) : (jumps >= 2 && insns >= 8));
  auto& list = at.complete;
  for (size_t k = 0; k < list.size();) {
    Checkpoint& e = *list[k];
    if (state_includes(e.state, state, e.read, e.precise)) {
      ++e.hits;
      // The pruned path's future is the checkpoint's: it reads what that one reads and
      // relies on the precision of what that one relies on.
      for (size_t l = e.read._Find_first(); l < e.read.size(); l = e.read._Find_next(l)) {
        on_read(l);
      }
      if ((e.precise & e.read).any()) require_precision(e.precise & e.read);
      ++stats_.states_pruned;
      if (log_ != nullptr) log_line(fmt::format("{}: safe", insn));
      end_path(&e);
      return true;
    }
    // Checkpoints that keep failing to prune only cost time and memory (the kernel's
    // heuristic): forget them. A miss counts only where a new state replaces them.
    if (add_checkpoint) ++e.misses;
    if (e.misses > e.hits * 3 + 3) {
      list[k] = std::move(list.back());
      list.pop_back();
      --live_checkpoints_;
      continue;
    }
    ++k;
  }
  // Checkpoints still in flight here are ancestors: the path is going round a loop. If it
  // came back to an identical state, the loop makes no progress.
  if (!in_loop && !add_checkpoint) return false;
  const uint64_t hash = hash_state(state);
  const auto [first, last] = at.in_flight.equal_range(hash);
  for (auto it = first; it != last; ++it) {
    if (it->second->state == state) {
      throw VerifyError(insn, fmt::format("infinite loop detected at insn {}", insn));
    }
  }
  if (!add_checkpoint) return false;
  insns_at_last_checkpoint_ = stats_.instructions_processed;
  jumps_at_last_checkpoint_ = jumps_processed_;
  auto c = std::make_unique<Checkpoint>();
  c->state = state;
  c->hash = hash;
  c->insn = insn;
  c->parent = last_;
  c->written_in_segment = written_;
  c->history = std::move(history_);
  history_.clear();
  if (!loop_visits_.empty()) {
    c->loop_visits_at = loop_visits_;
    c->loop_future.assign(loop_visits_.size(), 0);
  }
  last_ = c.get();
  written_.reset();
  at.in_flight.emplace(hash, std::move(c));
  ++stats_.states_stored;
  stats_.peak_states = std::max(stats_.peak_states, ++live_checkpoints_);
  return false;
}

void Explorer::complete(Checkpoint* c) {
  auto& in_flight = explored_[c->insn].in_flight;
  const auto [first, last] = in_flight.equal_range(c->hash);
  for (auto it = first; it != last; ++it) {
    if (it->second.get() == c) {
      explored_[c->insn].complete.push_back(std::move(it->second));
      in_flight.erase(it);
      return;
    }
  }
}

void Explorer::end_path(const Checkpoint* pruned_by) {
  if (!loop_visits_.empty()) {
    // Executions of each loop head along this path, plus (when pruned) the most the
    // pruning checkpoint's continuations make.
    std::vector<uint64_t> total(loop_visits_.begin(), loop_visits_.end());
    if (pruned_by != nullptr && !pruned_by->loop_future.empty()) {
      for (size_t k = 0; k < total.size(); ++k)
        total[k] += pruned_by->loop_future[k];
    }
    for (size_t k = 0; k < total.size(); ++k)
      loop_max_[k] = std::max(loop_max_[k], total[k]);
    for (Checkpoint* c = last_; c != nullptr; c = c->parent) {
      bool changed = false;
      for (size_t k = 0; k < total.size(); ++k) {
        const auto future = static_cast<uint32_t>(total[k] - c->loop_visits_at[k]);
        if (future > c->loop_future[k]) {
          c->loop_future[k] = future;
          changed = true;
        }
      }
      if (!changed) break;
    }
  }
  for (Checkpoint* c = last_; c != nullptr;) {
    if (--c->pending != 0) break;
    Checkpoint* parent = c->parent;
    complete(c);
    c = parent;
  }
  last_ = nullptr;
}

namespace {

// Whether `loc` holds a scalar (a register, or a slot with a spilled scalar) in `s`.
bool holds_scalar(const VerifierState& s, size_t loc) {
  const auto frame = static_cast<int>(loc / kLocationsPerFrame);
  const auto local = static_cast<int>(loc % kLocationsPerFrame);
  if (frame >= static_cast<int>(s.frames.size())) return false;
  const Frame& f = s.frames[frame];
  if (local < kRegisterCount) return f.regs[local].is_scalar();
  const StackSlot* slot = f.stack.slot(local - kRegisterCount);
  return slot != nullptr && slot->is_spill() && slot->spilled.is_scalar();
}

}  // namespace

void Explorer::require_precision(const LocationSet& locations) {
  LocationSet need = locations;
  bool followed = backtrack(history_, need);
  for (Checkpoint* c = last_; c != nullptr && need.any(); c = c->parent) {
    if (!followed) {
      // Lost track: every scalar of every earlier checkpoint becomes precise.
      for (size_t l = 0; l < kLocationCount; ++l) {
        if (holds_scalar(c->state, l)) c->precise.set(l);
      }
      continue;
    }
    LocationSet scalars;
    for (size_t l = need._Find_first(); l < need.size(); l = need._Find_next(l)) {
      if (holds_scalar(c->state, l)) scalars.set(l);
    }
    if ((scalars & ~c->precise).none()) break;  // an earlier backtrack went on from here
    c->precise |= scalars;
    need = scalars;
    followed = backtrack(c->history, need);
  }
}

void Explorer::run(VerifierState entry, int32_t start) {
  const auto n = static_cast<int32_t>(ctx_.insns.size());
  Path first;
  first.state = std::move(entry);
  first.insn = start;
  first.loop_visits.assign(loop_max_.size(), 0);
  pending_.push_back(std::move(first));
  Step step;
  while (!pending_.empty()) {
    Path path = std::move(pending_.back());
    pending_.pop_back();
    VerifierState state = std::move(path.state);
    int32_t insn = path.insn;
    last_ = path.last;
    written_ = path.written;
    history_ = std::move(path.history);
    loop_visits_ = std::move(path.loop_visits);
    if (log_ != nullptr && insn != start) {
      log_line(fmt::format("from {} to {}:{}", path.from, insn, format_state(state, ctx_.maps)));
    }
    while (true) {
      if (insn >= n) {
        // Only a fragment may run off its end (the CFG refuses it otherwise).
        ++stats_.exits_reached;
        end_path(nullptr);
        break;
      }
      if (++stats_.instructions_processed > ctx_.options.complexity_limit) {
        throw VerifyError(insn, fmt::format("BPF program is too large. Processed {} insn",
                                            stats_.instructions_processed));
      }
      const ebpf::Instruction& i = ctx_.insns[insn];
      facts_.record_state(insn, i, state);
      if (ctx_.cfg.is_prune_point(insn) && visit_prune_point(state, insn)) break;
      if (loop_index_[insn] >= 0) ++loop_visits_[loop_index_[insn]];
      if (log_ != nullptr) {
        log_line(fmt::format("{}:{}", insn, format_state(state, ctx_.maps)));
        log_line(fmt::format("{}: ({:02x}) {}", insn, i.opcode,
                             ebpf::disassemble_instruction(ctx_.insns, insn)));
      }
      if (i.is_jmp()) ++jumps_processed_;
      const auto depth = static_cast<int8_t>(state.depth());
      const bool whole_register = moves_whole_register(state, i);
      machine_.execute(state, insn, step);
      if (step.branch_taken || step.branch_fallthrough) {
        facts_.record_edges(insn, step.branch_taken, step.branch_fallthrough);
      }
      HistoryEntry entry;
      entry.insn = insn;
      entry.depth = depth;
      entry.stack_frame = static_cast<int8_t>(step.stack_frame);
      entry.stack_slot = step.stack_slot;
      entry.stack_variable = step.stack_variable;
      entry.whole_register = whole_register && step.stack_slot >= 0;
      entry.linked = std::move(step.linked);
      history_.push_back(std::move(entry));
      if (step.forked) {
        if (last_ != nullptr) ++last_->pending;
        Path other;
        other.state = std::move(step.fork_state);
        other.insn = step.fork_insn;
        other.from = insn;
        other.last = last_;
        other.written = written_;
        other.history = history_;
        other.loop_visits = loop_visits_;
        pending_.push_back(std::move(other));
        stats_.max_pending_paths = std::max<uint64_t>(stats_.max_pending_paths, pending_.size());
      }
      if (step.next < 0) {
        if (i.is_exit()) ++stats_.exits_reached;
        end_path(nullptr);
        break;
      }
      insn = step.next;
    }
  }
}

}  // namespace nicsim::verifier
