#pragma once
// Accumulates facts while paths are explored (every abstract state reaching an
// instruction is shown to record_state) and derives the static ones at the end.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "verifier/analysis/context.h"
#include "verifier/analysis/register_ranges.h"
#include "verifier/facts.h"
#include "verifier/state/state.h"

namespace nicsim::verifier {

class FactsBuilder {
 public:
  explicit FactsBuilder(size_t insn_count);

  // A state about to execute `insn`.
  void record_state(int32_t insn, const ebpf::Instruction& i, const VerifierState& s);
  // A packet access at `insn`, proven by the comparison at `proof` (-1: unknown).
  void record_packet_proof(int32_t insn, int32_t proof);
  void record_stack_depth(int32_t function, int32_t depth);
  // Which sides of a conditional jump (or assumption) were feasible on one path.
  void record_edges(int32_t insn, bool taken, bool fallthrough);
  const std::vector<uint32_t>& stack_depths() const { return stack_depths_; }

  // The facts; `loop_executions[k]` is the bound found for loop head k of the CFG.
  ProgramFacts finish(const AnalysisContext& ctx,
                      const std::vector<uint64_t>& loop_executions) const;

  // Largest stack use along any call chain (frames rounded up to 32 bytes as the kernel
  // does), and the chain's number of frames.
  uint32_t combined_stack_depth(const AnalysisContext& ctx) const;

 private:
  enum : uint8_t { kUnset, kConst, kVaries };
  struct Accumulator {
    bool reached = false;
    std::array<uint8_t, 11> status{};
    std::array<uint64_t, 11> value{};
    bool via_packet = false;
    bool via_other = false;
    AccessBase base = AccessBase::None;
    bool upper_zero = true;
    bool edge_taken = false;
    bool edge_fallthrough = false;
    uint8_t map_status = kUnset;  // helper calls: r1's map pointer
    int32_t map = -1;
    // bpf_map_lookup_elem: where r2 pointed (frame, offset; the same on every path), so that
    // the value stored there can be read off the value ranges.
    uint8_t key_at_status = kUnset;
    int32_t key_frame = -1;
    int32_t key_depth = -1;
    int64_t key_offset = 0;
    std::vector<int32_t> proofs;
  };
  void record_lookup_key(Accumulator& a, const VerifierState& s);
  // What finding stored keys computes once per program: the value ranges per function.
  struct KeyAnalysis {
    std::map<int32_t, std::vector<std::optional<ValueRanges>>> ranges;
  };
  // The lookup key at helper call `call`: the value that a 4- or 8-byte store through the
  // frame pointer left at `key_offset` on every path (nullopt when the ranges do not know one).
  std::optional<U32Range> key_in_frame(const AnalysisContext& ctx, int32_t call, int64_t key_offset,
                                       KeyAnalysis& analysis) const;

  std::vector<Accumulator> acc_;
  std::vector<uint32_t> stack_depths_;
};

}  // namespace nicsim::verifier
