#pragma once
// The program's static shape, checked before any path is explored (the kernel's
// check_subprogs and check_cfg): function boundaries, jumps that stay inside their
// function, no fall-through off a function's end, no unreachable instruction. Also where
// states are worth remembering (prune points) and where loops close (back-edges).

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "ebpf/isa/instruction.h"

namespace nicsim::verifier {

struct Function {
  int32_t start = 0;
  int32_t end = 0;  // one past the last instruction
  std::string name;
};

struct CfgOptions {
  // Program fragments (test cases) may end without an exit and contain dead code.
  bool allow_fall_off_end = false;
  bool reject_unreachable = true;
};

class ControlFlow {
 public:
  // Throws VerifyError naming the first structural fault.
  static ControlFlow build(std::span<const ebpf::Instruction> insns,
                           const std::vector<std::pair<size_t, std::string>>& named_functions,
                           const CfgOptions& options);

  size_t size() const { return function_of_.size(); }
  const std::vector<Function>& functions() const { return functions_; }
  int32_t function_of(int32_t insn) const { return function_of_[insn]; }
  // Index of the function starting at `insn`, or -1.
  int32_t function_starting_at(int32_t insn) const;
  bool is_prune_point(int32_t insn) const { return prune_point_[insn] != 0; }
  bool is_loop_head(int32_t insn) const { return loop_head_[insn] != 0; }
  bool is_lddw_tail(int32_t insn) const { return lddw_tail_[insn] != 0; }
  bool reachable(int32_t insn) const { return reachable_[insn] != 0; }
  // (from, to) of every jump that closes a loop in depth-first order.
  const std::vector<std::pair<int32_t, int32_t>>& back_edges() const { return back_edges_; }
  // Loop heads in increasing order; index in this list identifies the loop.
  const std::vector<int32_t>& loop_heads() const { return loop_heads_; }

 private:
  std::vector<Function> functions_;
  std::vector<int32_t> function_of_;
  std::vector<uint8_t> prune_point_;
  std::vector<uint8_t> loop_head_;
  std::vector<uint8_t> lddw_tail_;
  std::vector<uint8_t> reachable_;
  std::vector<std::pair<int32_t, int32_t>> back_edges_;
  std::vector<int32_t> loop_heads_;
};

}  // namespace nicsim::verifier
