#pragma once
// Path exploration as the kernel does it: depth-first over the program's paths, one
// abstract state per path, every conditional jump whose outcome is unknown splitting the
// path. At prune points a state is remembered (a checkpoint); a later state at the same
// instruction is pruned when a completely explored checkpoint includes it, as far as the
// registers and stack slots the checkpoint's future reads (liveness). Loops are unrolled by
// the exploration itself: a state equal to one of its own ancestors is an infinite loop,
// and more than `complexity_limit` processed instructions ends the verification.

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "verifier/analysis/context.h"
#include "verifier/analysis/facts_builder.h"
#include "verifier/analysis/machine.h"
#include "verifier/state/locations.h"

namespace nicsim::verifier {

struct ExplorationStats {
  uint64_t instructions_processed = 0;
  uint64_t states_stored = 0;      // checkpoints created
  uint64_t peak_states = 0;        // most checkpoints kept at once
  uint64_t states_pruned = 0;      // paths ended by pruning
  uint64_t max_pending_paths = 0;  // deepest stack of unexplored branches
  uint64_t exits_reached = 0;      // paths that reached an exit (or a fragment's end)
};

class Explorer : private Observer {
 public:
  // `log` receives the per-instruction state log when the options ask for it.
  Explorer(const AnalysisContext& context, FactsBuilder& facts, std::vector<std::string>* log);
  ~Explorer() override;

  // Explores every path from `entry` at instruction `start`; throws VerifyError at the first
  // violation.
  void run(VerifierState entry, int32_t start = 0);

  const ExplorationStats& stats() const { return stats_; }
  // Per CFG loop head: most executions of the head in one run.
  const std::vector<uint64_t>& loop_executions() const { return loop_max_; }

 private:
  struct Checkpoint;
  struct Path;

  // Observer.
  void on_read(size_t location) override;
  void on_write(size_t location) override;
  void on_packet_access(int32_t insn, int32_t proof) override;
  void on_stack_depth(int32_t function, int32_t depth) override;
  uint32_t new_id() override { return ++next_id_; }
  void require_precision(const LocationSet& locations) override;

  // True when the current state at `insn` is pruned.
  bool visit_prune_point(const VerifierState& state, int32_t insn);
  void end_path(const Checkpoint* pruned_by);
  void complete(Checkpoint* c);
  void log_line(std::string line);

  const AnalysisContext& ctx_;
  FactsBuilder& facts_;
  std::vector<std::string>* log_;
  Machine machine_;
  ExplorationStats stats_;

  // Checkpoints per instruction: those whose continuations are all verified (they may
  // prune), and those still being explored (ancestors of the current path), by state hash.
  struct InsnCheckpoints {
    std::vector<std::unique_ptr<Checkpoint>> complete;
    std::unordered_multimap<uint64_t, std::unique_ptr<Checkpoint>> in_flight;
  };
  std::vector<InsnCheckpoints> explored_;
  uint64_t live_checkpoints_ = 0;
  std::vector<Path> pending_;
  uint32_t next_id_ = 0;

  // One executed instruction, as precision backtracking needs it.
  struct HistoryEntry {
    int32_t insn = 0;
    int8_t depth = 0;         // frame executing it
    int8_t stack_frame = -1;  // stack slot a load/store accessed
    int16_t stack_slot = -1;
    bool stack_variable = false;
    // A fill restoring the spilled register or a spill: the slot's value is the register's.
    bool whole_register = false;
    std::vector<uint16_t> linked;  // conditional jumps: locations linked to the operands
  };
  // Whether instruction `i`, about to run in `s`, spills a register into a stack slot or
  // fills one from a spill (the kernel's INSN_F_STACK_ACCESS).
  static bool moves_whole_register(const VerifierState& s, const ebpf::Instruction& i);
  // Walks `history` backwards, turning what is needed after it into what is needed before.
  // False when it meets something it cannot follow (then everything is made precise).
  bool backtrack(const std::vector<HistoryEntry>& history, LocationSet& need) const;

  // The current path.
  Checkpoint* last_ = nullptr;
  LocationSet written_;
  std::vector<HistoryEntry> history_;
  std::vector<uint32_t> loop_visits_;

  // Counters at the last checkpoint creation (to space checkpoints out, as the kernel does).
  uint64_t jumps_processed_ = 0;
  uint64_t insns_at_last_checkpoint_ = 0;
  uint64_t jumps_at_last_checkpoint_ = 0;

  std::vector<uint64_t> loop_max_;
  std::vector<int32_t> loop_index_;  // insn -> index into cfg loop heads, or -1
};

}  // namespace nicsim::verifier
