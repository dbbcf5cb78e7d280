#include "jit/nic/scheduler.h"

#include <algorithm>
#include <limits>

#include "ebpf/util/error.h"
#include "firmware/isa/address_map.h"
#include "firmware/isa/bundle.h"
#include "jit/nic/chains.h"
#include "jit/nic/hoist.h"
#include "jit/nic/liveness.h"
#include "jit/nic/memory_facts.h"
#include "jit/nic/reassociate.h"
#include "jit/nic/rename.h"

namespace nicsim::jit::nic {

using firmware::OpClass;
using firmware::OperandB;

namespace {

constexpr int kNoEdge = std::numeric_limits<int>::min();

// The latency the scheduler plans with (docs/nic-isa.md section 7, default configuration).
uint32_t planned_latency(const Op& op) {
  const firmware::Slot& s = op.slot;
  if (s.op == OpClass::Load || s.op == OpClass::Xchg || s.op == OpClass::Cmpxchg ||
      (s.op == OpClass::Atomic && s.fetch))
    return 2;
  if (firmware::uses_multiplier(s)) return 2;
  if (firmware::uses_divider(s)) return s.w32 ? 17 : 33;
  if (s.op == OpClass::HCall) return 4;
  if (s.op == OpClass::CallF) return 3;
  return 1;
}

// May run before a branch that precedes it without anyone noticing, register effects aside.
bool speculable(const Op& op) {
  const firmware::Slot& s = op.slot;
  if (s.op == OpClass::Alu || s.op == OpClass::Movs) return true;
  // A stack load at a constant in-range offset from the frame pointer cannot fault; a load the
  // facts prove in bounds becomes ldnf when it moves above its guard. ldnf only zero-extends,
  // so a sign-extending load stays below its guard unless it cannot fault.
  if (s.op != OpClass::Load || s.load_mode != firmware::LoadMode::BaseImm) return false;
  return (op.access_proven && !s.sign_extend) ||
         (s.ra == firmware::kFrameRegister && s.imm >= -512 && s.imm + s.size <= 0);
}

// A store to the stack at a constant in-range offset from the frame pointer: it cannot fault,
// and when no later path reads the stack its effect cannot be seen.
bool stack_store(const Op& op) {
  const firmware::Slot& s = op.slot;
  if (s.op != OpClass::Store || s.ra != firmware::kFrameRegister) return false;
  const int32_t offset = s.store_value == firmware::StoreValue::Reg ? s.imm : s.offset12();
  return offset >= -static_cast<int32_t>(firmware::kStackSize) && offset + s.size <= 0;
}

// Blocks from which no path reads the stack (no stack or unclassified load or atomic, no
// helper call) before the packet ends. A stack store may run above a branch into one.
std::vector<bool> stack_quiet_blocks(const Function& fn,
                                     const std::vector<std::vector<MemoryAccess>>& memory) {
  std::vector<bool> quiet(fn.blocks.size(), true);
  for (size_t b = 0; b < fn.blocks.size(); ++b) {
    const auto& ops = fn.blocks[b].ops;
    for (size_t i = 0; i < ops.size() && quiet[b]; ++i) {
      const bool reads_memory = ops[i].is_memory() && ops[i].slot.op != OpClass::Store;
      const Memory m = memory[b][i].memory;
      if (ops[i].is_call() || (reads_memory && (m == Memory::Stack || m == Memory::Unknown)))
        quiet[b] = false;
    }
  }
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t b = 0; b < fn.blocks.size(); ++b) {
      if (!quiet[b] || fn.blocks[b].removed) continue;
      for (int32_t next : fn.successors(static_cast<int32_t>(b))) {
        if (!quiet[next]) {
          quiet[b] = false;
          changed = true;
          break;
        }
      }
    }
  }
  return quiet;
}

// A zero-extending load at a constant offset from r0 (a lookup's result), inside the value of
// the map the lookup searched.
bool map_value_load(const Op& op, const MemoryAccess& access,
                    const std::vector<firmware::MapLayout>& maps) {
  const firmware::Slot& s = op.slot;
  if (s.op != OpClass::Load || s.load_mode != firmware::LoadMode::BaseImm || s.sign_extend ||
      s.ra != 0 || access.memory != Memory::Map || access.map < 0 ||
      static_cast<size_t>(access.map) >= maps.size())
    return false;
  return s.imm >= 0 && static_cast<int64_t>(s.imm) + s.size <= maps[access.map].value_size;
}

struct Address {
  MemoryAccess access;
  bool known = false;
  uint8_t base = 0;
  uint32_t version = 0;
  int64_t offset = 0;
  uint32_t size = 0;
};

Address address_of(const Op& op, const std::array<uint32_t, 16>& versions) {
  const firmware::Slot& s = op.slot;
  Address a;
  switch (s.op) {
    case OpClass::Load:
      if (s.load_mode != firmware::LoadMode::BaseImm) return a;
      a.offset = s.imm;
      a.size = s.size;
      break;
    case OpClass::Store:
      a.offset = s.store_value == firmware::StoreValue::Reg ? s.imm : s.offset12();
      a.size = s.size;
      break;
    case OpClass::Atomic:
    case OpClass::Xchg:
    case OpClass::Cmpxchg:
      a.offset = s.imm;
      a.size = s.w32 ? 4 : 8;
      break;
    default:
      return a;
  }
  a.known = true;
  a.base = s.ra;
  a.version = versions[s.ra];
  return a;
}

bool may_alias(const Address& a, const Address& b) {
  if (!accesses_may_overlap(a.access, static_cast<int>(a.size), b.access, static_cast<int>(b.size)))
    return false;
  if (!a.known || !b.known || a.base != b.base || a.version != b.version) return true;
  return a.offset < b.offset + b.size && b.offset < a.offset + a.size;
}

struct Node {
  const Op* op = nullptr;
  uint16_t reads = 0;
  uint16_t writes = 0;
  bool conditional = false;  // a conditional branch (exit vectors included)
  bool control = false;
  uint16_t live_at_target = 0;
  bool quiet_target = false;  // conditional branches: no path from the target reads the stack
  uint32_t latency = 1;
  Address address;
  std::vector<std::pair<int, int>> preds;  // (node, minimum bundle distance)
  std::vector<int> raw_preds;
  // Helper calls before it: the context issues nothing until their result lands, so in a
  // later bundle it waits for their latency whatever it reads.
  std::vector<int> call_preds;
  int height = 0;
  // A load of a map value through the pointer a lookup of this chain returned, inside the
  // value: it cannot fault where the program runs it (the entry is live, or the pointer is
  // null and the null check before it is taken), so it may run above that check as ldnf.
  bool map_value = false;
};

class ChainScheduler {
 public:
  ChainScheduler(const Function& fn, const Liveness& liveness,
                 const std::vector<std::vector<MemoryAccess>>& memory,
                 const std::vector<bool>& stack_quiet, const std::vector<int32_t>& blocks,
                 const CompileOptions& options, bool dense)
      : options_(options), dense_(dense) {
    std::array<uint32_t, 16> versions{};
    uint32_t lookup_version = 0;  // versions[0] right after the last map lookup, 0 for none
    bool null_checked = false;    // a `jeq r0, 0` on that lookup's result came since
    for (int32_t b : blocks) {
      for (size_t index = 0; index < fn.blocks[b].ops.size(); ++index) {
        const Op& op = fn.blocks[b].ops[index];
        Node n;
        n.op = &op;
        n.reads = op.reads();
        n.writes = op.writes();
        n.control = firmware::is_control_op(op.slot);
        n.conditional = op.is_conditional_branch();
        if (n.conditional && op.target >= 0) n.live_at_target = liveness.live_in(op.target);
        if (n.conditional) n.quiet_target = op.target < 0 || stack_quiet[op.target];
        n.latency = planned_latency(op);
        n.address = address_of(op, versions);
        n.address.access = memory[b][index];
        n.map_value = options.enabled(Pass::MapSpeculation) && null_checked &&
                      versions[0] == lookup_version &&
                      map_value_load(op, n.address.access, fn.maps);
        const firmware::Slot& s = op.slot;
        if (s.op == OpClass::Branch && s.cond == firmware::Cond::Eq && s.b == OperandB::Imm &&
            s.imm == 0 && s.ra == 0 && !s.w32 && versions[0] == lookup_version &&
            lookup_version != 0)
          null_checked = true;
        for (uint16_t w = op.writes(); w; w &= w - 1)
          ++versions[__builtin_ctz(w)];
        if (op.slot.op == OpClass::HCall && op.slot.imm == 1) {
          lookup_version = versions[0];
          null_checked = false;
        }
        nodes_.push_back(std::move(n));
      }
    }
    build_edges();
    compute_heights();
  }

  std::vector<std::vector<Op>> run(ScheduleStats& stats) {
    const int n = static_cast<int>(nodes_.size());
    std::vector<int> bundle_of(n, -1);
    std::vector<std::vector<int>> bundles;
    int cycle = 0, remaining = n, emitted = 0, last_progress = 0;
    std::vector<int> current;
    while (remaining > 0) {
      current.clear();
      for (;;) {
        int best = -1;
        for (int i = 0; i < n; ++i) {
          if (bundle_of[i] >= 0 || !ready(i, bundle_of, cycle, emitted)) continue;
          if (!fits(current, i)) continue;
          // Program order without scheduling; else the longest remaining path first.
          if (best < 0 ||
              (options_.enabled(Pass::Schedule) && nodes_[i].height > nodes_[best].height))
            best = i;
        }
        if (best < 0) break;
        bundle_of[best] = emitted;
        current.push_back(best);
        --remaining;
        if (!options_.enabled(Pass::Schedule)) break;
      }
      if (current.empty() && cycle > last_progress + 100000)
        throw Error("NIC compiler: the scheduler made no progress (internal error)");
      if (!current.empty()) {
        last_progress = cycle;
        bundles.push_back(current);
        ++emitted;
        // Bundle indices stand for cycles in the readiness checks below.
        cycle_of_.push_back(cycle);
      }
      ++cycle;
    }
    std::vector<bool> speculated(n, false);
    for (int j = 0; j < n; ++j) {
      for (int i = 0; i < j; ++i) {
        if (nodes_[i].conditional && bundle_of[j] <= bundle_of[i]) {
          ++stats.hoisted;
          speculated[j] = true;
          break;
        }
      }
    }
    std::vector<std::vector<Op>> out;
    for (auto& b : bundles) {
      // Control operations last, in program order (their priority); the rest as scheduled.
      std::stable_sort(b.begin(), b.end(), [&](int x, int y) {
        const bool cx = nodes_[x].control, cy = nodes_[y].control;
        if (cx != cy) return !cx;
        return cx && x < y;
      });
      std::vector<Op> ops;
      for (int i : b) {
        ops.push_back(*nodes_[i].op);
        firmware::Slot& slot = ops.back().slot;
        if (speculated[i] && slot.op == OpClass::Load && !slot.no_fault && !slot.sign_extend &&
            (ops.back().access_proven || nodes_[i].map_value))
          slot = firmware::make_load_no_fault(slot.size, slot.rd, slot.ra, slot.imm);
      }
      out.push_back(std::move(ops));
    }
    return out;
  }

 private:
  void add_edge(int from, int to, int distance) {
    if (distance == kNoEdge) return;
    for (auto& [p, d] : nodes_[to].preds) {
      if (p == from) {
        d = std::max(d, distance);
        return;
      }
    }
    nodes_[to].preds.emplace_back(from, distance);
  }

  void build_edges() {
    const int n = static_cast<int>(nodes_.size());
    for (int j = 0; j < n; ++j) {
      const Node& b = nodes_[j];
      const Op& bj = *b.op;
      for (int i = 0; i < j; ++i) {
        const Node& a = nodes_[i];
        const Op& ai = *a.op;
        int d = kNoEdge;
        const auto at_least = [&d](int x) { d = std::max(d, x); };
        if (a.writes & b.reads) {
          at_least(1);
          nodes_[j].raw_preds.push_back(i);
        }
        if (a.writes & b.writes) at_least(1);
        if (a.reads & b.writes) at_least(0);
        if (ai.is_memory() && bj.is_memory() && (ai.writes_memory() || bj.writes_memory()) &&
            may_alias(a.address, b.address))
          at_least(ai.writes_memory() ? 1 : 0);
        const bool a_hcall = ai.slot.op == OpClass::HCall, b_hcall = bj.slot.op == OpClass::HCall;
        // Helper units change memory and the packet pointers special registers read.
        const bool b_reads_unit_state =
            bj.is_memory() || b_hcall || b.control || bj.slot.op == OpClass::Movs;
        if (a_hcall && b_reads_unit_state) at_least(1);
        if (b_hcall && (ai.is_memory() || a_hcall || a.control)) at_least(1);
        if (ai.slot.op == OpClass::CallF) at_least(1);
        if (ai.is_call()) nodes_[j].call_preds.push_back(i);
        if (b.control) at_least(0);
        // After a conditional branch: control operations may share its bundle (lane order keeps
        // their priority); others only if they may run whatever the branch decides.
        const bool may_run_early =
            speculable(bj) || b.map_value || (a.quiet_target && stack_store(bj));
        if (a.conditional && !b.control && (!may_run_early || (b.writes & a.live_at_target)))
          at_least(1);
        add_edge(i, j, d);
      }
    }
  }

  void compute_heights() {
    for (int j = static_cast<int>(nodes_.size()) - 1; j >= 0; --j) {
      for (const auto& [p, d] : nodes_[j].preds) {
        const bool raw = std::find(nodes_[j].raw_preds.begin(), nodes_[j].raw_preds.end(), p) !=
                         nodes_[j].raw_preds.end();
        const int weight = raw ? static_cast<int>(nodes_[p].latency) : std::max(d, 0);
        nodes_[p].height = std::max(nodes_[p].height, nodes_[j].height + weight);
      }
    }
  }

  bool ready(int i, const std::vector<int>& bundle_of, int cycle, int current_bundle) const {
    for (const auto& [p, d] : nodes_[i].preds) {
      const int bp = bundle_of[p];
      if (bp < 0) return false;
      if (bp + d > current_bundle) return false;
    }
    for (int p : nodes_[i].raw_preds) {
      const int bp = bundle_of[p];
      if (bp == current_bundle) return false;
      if (cycle_of_[bp] + latency(p) > cycle) return false;
    }
    for (int p : nodes_[i].call_preds) {
      const int bp = bundle_of[p];
      if (bp < 0) return false;
      if (bp != current_bundle && cycle_of_[bp] + latency(p) > cycle) return false;
    }
    return true;
  }

  // Dense scheduling plans every result as available in the next bundle: the scoreboard then
  // stalls the context for the rest of the latency, which the other contexts fill, while the
  // core issues fewer bundles per packet (docs/nic-isa.md section 11).
  int latency(int node) const { return dense_ ? 1 : static_cast<int>(nodes_[node].latency); }

  bool fits(const std::vector<int>& current, int candidate) const {
    if (static_cast<int>(current.size()) >= options_.lanes) return false;
    std::vector<firmware::Slot> slots;
    for (int i : current)
      slots.push_back(nodes_[i].op->slot);
    slots.push_back(nodes_[candidate].op->slot);
    // Control operations sit after the others, in program order (as run() will place them).
    std::stable_sort(slots.begin(), slots.end(),
                     [](const firmware::Slot& x, const firmware::Slot& y) {
                       return !firmware::is_control_op(x) && firmware::is_control_op(y);
                     });
    return firmware::check_bundle(slots, options_.memory_ports).empty();
  }

  const CompileOptions& options_;
  bool dense_ = false;
  std::vector<Node> nodes_;
  std::vector<int> cycle_of_;  // virtual cycle of each emitted bundle
};

}  // namespace

namespace {

std::vector<ScheduledChain> schedule_chains(Function& fn, const CompileOptions& options,
                                            ScheduleStats& stats) {
  const bool superblocks = options.enabled(Pass::Schedule);
  const auto chains = form_chains(fn, superblocks);
  const std::vector<int> order = lay_out(fn, chains, stats);
  const Liveness liveness(fn);
  const auto memory = classify_memory(fn);
  const std::vector<bool> stack_quiet = stack_quiet_blocks(fn, memory);
  std::vector<ScheduledChain> out;
  for (int c : order) {
    ScheduledChain chain;
    chain.blocks = chains[c];
    chain.bundles =
        ChainScheduler(fn, liveness, memory, stack_quiet, chain.blocks, options, false).run(stats);
    if (superblocks && options.enabled(Pass::DenseSchedule)) {
      ScheduleStats dense_stats = stats;
      auto dense = ChainScheduler(fn, liveness, memory, stack_quiet, chain.blocks, options, true)
                       .run(dense_stats);
      if (dense.size() < chain.bundles.size()) {
        chain.bundles = std::move(dense);
        stats = dense_stats;
        ++stats.dense_chains;
      }
    }
    if (chain.blocks.size() > 1) ++stats.superblocks;
    out.push_back(std::move(chain));
  }
  return out;
}

size_t bundle_count(const std::vector<ScheduledChain>& chains) {
  size_t n = 0;
  for (const ScheduledChain& c : chains)
    n += c.bundles.size();
  return n;
}

}  // namespace

std::vector<ScheduledChain> schedule_function(Function& fn, const CompileOptions& options,
                                              ScheduleStats* stats_out) {
  ScheduleStats stats;
  const bool superblocks = options.enabled(Pass::Schedule);
  if (superblocks) {
    duplicate_tails(fn, stats);
    if (options.enabled(Pass::Hoist)) stats.hoisted_from_joins = hoist_from_switch_joins(fn);
    stats.renamed = rename_registers(fn);
  }
  std::vector<ScheduledChain> out;
  if (superblocks && options.enabled(Pass::Reassociate)) {
    // Rebalancing takes free registers and lanes the schedule might use better: it is kept
    // only when the program needs no more bundles with it.
    Function rebalanced = fn;
    ScheduleStats with_stats = stats;
    with_stats.reassociated = reassociate_chains(rebalanced);
    if (with_stats.reassociated > 0) {
      auto with = schedule_chains(rebalanced, options, with_stats);
      Function plain = fn;
      ScheduleStats plain_stats = stats;
      auto without = schedule_chains(plain, options, plain_stats);
      if (bundle_count(with) <= bundle_count(without)) {
        fn = std::move(rebalanced);
        out = std::move(with);
        stats = with_stats;
      } else {
        fn = std::move(plain);
        out = std::move(without);
        stats = plain_stats;
      }
    }
  }
  if (out.empty()) out = schedule_chains(fn, options, stats);
  if (stats_out) *stats_out = stats;
  return out;
}

}  // namespace nicsim::jit::nic
