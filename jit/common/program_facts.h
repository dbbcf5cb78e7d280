#pragma once
// What the verifier proved about a program, in the form the JITs consume: one entry per
// instruction slot. The verifier's VerifiedProgram is converted to this (verified_facts.h) so
// that the JITs depend on these few facts, not on the verifier's internals. Without facts
// every access is compiled checked (SafetyMode::Checked).

#include <cstdint>
#include <optional>
#include <vector>

namespace nicsim::jit {

// What the base register of a load, store or atomic points to on every path reaching it.
enum class PointerKind : uint8_t {
  Unknown,  // not proven (or not a memory access)
  Stack,
  Context,  // the program context (xdp_md): loads are translated to the shadow
  Packet,
  MapValue,
  Other,  // another valid region (ringbuf record, raw memory)
};

// A conditional jump decided the same way on every path.
enum class BranchOutcome : uint8_t { Unknown, AlwaysTaken, NeverTaken };

// The numbers a u32 holds on every path, [min, max].
struct U32Range {
  uint32_t min = 0;
  uint32_t max = 0;
};

struct InstructionFacts {
  bool reachable = true;
  PointerKind base = PointerKind::Unknown;
  // The access stays inside its region and respects the region's permissions on every path.
  bool access_safe = false;
  BranchOutcome branch = BranchOutcome::Unknown;
  // A 32-bit definition (ALU32, narrow load) whose zero-extension of the upper half is not
  // needed: no later instruction reads the upper half before it is overwritten. An
  // instruction that does nothing but zero-extend can then be left out.
  bool zero_extension_redundant = false;
  // A helper call whose r1 is the same map on every path: that map's index in the object
  // (the JITs inline array lookups of it), else -1.
  int32_t helper_map = -1;
  // bpf_map_lookup_elem calls: the key (the u32 at r2) on every path, when the verifier
  // bounded it (an inlined array lookup then folds a constant or drops its bounds check).
  std::optional<U32Range> lookup_key = std::nullopt;
};

struct ProgramFacts {
  std::vector<InstructionFacts> insns;  // indexed by instruction slot
  // No instruction and no helper reads a stack byte the run has not written (the verifier
  // refused reads of uninitialised stack): a run cannot see what an earlier one left there.
  bool reads_only_written_stack = false;
};

}  // namespace nicsim::jit
