#pragma once
// What the verifier proved about a program, per instruction, for the JITs (the NIC compiler
// and the host JITs). Every fact holds on every execution of the program: it was true in
// every abstract state the verifier explored at that instruction, and the exploration
// covers every execution. Stable interface: the JITs depend on it (docs/verifier.md).

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace nicsim::verifier {

// How an instruction that loads or stores through a pointer used packet data.
struct PacketAccessFact {
  bool through_packet = false;  // on some path the pointer was a packet pointer
  bool only_packet = false;     // on every path it was (the access can be specialised)
  // Every such access was proven in bounds (the program verified); these are the
  // conditional jumps (instruction indices) that established the packet range, sorted.
  // Empty when the range came from elsewhere (e.g. a comparison in a caller's frame).
  std::vector<int32_t> bounds_checks;
};

// What the base register of a load, store or atomic pointed to.
enum class AccessBase : uint8_t {
  None,      // not a memory access, or never reached
  Stack,     // a stack frame (the frame pointer or a copy, in this frame or a caller's)
  Context,   // the program context
  Packet,    // packet data or metadata
  MapValue,  // a map value (looked up, or global data)
  Memory,    // memory a helper handed out (ringbuf record...), a callback's map key
  Kernel,    // a kernel object (socket, BTF-typed pointer)
  Mixed,     // different kinds on different paths
};

// The numbers a u32 may hold, [min, max].
struct U32Range {
  uint32_t min = 0;
  uint32_t max = 0;
  friend bool operator==(const U32Range&, const U32Range&) = default;
};

struct InstructionFacts {
  // Reached by some execution; false marks dead code the JITs may drop.
  bool reachable = false;
  // The second slot of an lddw: part of the previous instruction, never executed alone.
  bool second_slot = false;
  // Registers holding the same known number on every path reaching the instruction
  // (before it executes). Pointers are never constants here.
  std::array<std::optional<uint64_t>, 11> constants{};
  PacketAccessFact packet;
  // Loads, stores and atomics: the kind of memory the base register pointed to, the same on
  // every path (Mixed otherwise). A JIT translates context accesses at compile time.
  AccessBase access_base = AccessBase::None;
  // For instructions writing only the low 32 bits of their destination (ALU32, narrow
  // loads): no later instruction reads the upper half before it is overwritten, so a
  // backend whose 32-bit operations leave the upper half unchanged needs no
  // zero-extension here.
  bool zero_extension_redundant = false;
  // The destination's upper half was already zero before the instruction on every path.
  bool upper_half_zero_before = false;
  // Conditional jumps whose outcome is the same on every path: true when always taken,
  // false when never taken (a JIT may emit an unconditional jump, or nothing).
  std::optional<bool> branch_always_taken;
  // Helper calls: the map (index in the object) r1 held on every path, when it was the same
  // map pointer on all of them. A JIT may then specialise the call to that map (inline an
  // array lookup, as the kernel's map_gen_lookup does).
  std::optional<int32_t> helper_map;
  // Calls of bpf_map_lookup_elem: the u32 the helper reads as the key at r2, on every path
  // (a key in the function's own stack frame whose store the value ranges follow,
  // register_ranges.h). A JIT inlining an array lookup needs no bounds check when
  // max < max_entries.
  std::optional<U32Range> lookup_key = std::nullopt;
};

struct LoopFacts {
  int32_t head = 0;                 // first instruction of the loop (back-edge target)
  std::vector<int32_t> back_edges;  // instructions jumping back to the head
  // Most executions of the head instruction in one run of the program, across every
  // explored path: the loop's trip bound (for nested loops, per run, not per entry).
  uint64_t max_head_executions = 0;
};

struct FunctionFacts {
  int32_t start = 0;
  int32_t end = 0;
  uint32_t stack_depth = 0;  // bytes of stack the function uses (deepest access)
};

class ProgramFacts {
 public:
  ProgramFacts() = default;
  explicit ProgramFacts(size_t insn_count) : insns_(insn_count) {}

  size_t size() const { return insns_.size(); }
  const InstructionFacts& at(size_t insn) const { return insns_.at(insn); }
  InstructionFacts& mutable_at(size_t insn) { return insns_.at(insn); }
  const std::vector<LoopFacts>& loops() const { return loops_; }
  std::vector<LoopFacts>& mutable_loops() { return loops_; }
  const std::vector<FunctionFacts>& functions() const { return functions_; }
  std::vector<FunctionFacts>& mutable_functions() { return functions_; }
  // Largest stack use along any chain of calls, in bytes.
  uint32_t max_stack_depth() const { return max_stack_depth_; }
  void set_max_stack_depth(uint32_t depth) { max_stack_depth_ = depth; }
  // No instruction and no helper reads a stack byte before the run has written it (the
  // program was verified without allow_uninit_stack): what a previous run left on the stack
  // cannot be observed, so an engine need not clear it between runs.
  bool reads_only_written_stack() const { return reads_only_written_stack_; }
  void set_reads_only_written_stack(bool value) { reads_only_written_stack_ = value; }

  // Instructions no execution reaches (second slots of lddw excluded).
  std::vector<int32_t> dead_instructions() const;

 private:
  std::vector<InstructionFacts> insns_;
  std::vector<LoopFacts> loops_;
  std::vector<FunctionFacts> functions_;
  uint32_t max_stack_depth_ = 0;
  bool reads_only_written_stack_ = false;
};

}  // namespace nicsim::verifier
