#pragma once
// One program compiled to native code by a backend, with what the run-time support needs to
// map native addresses back to eBPF instructions (diagnostics, callx targets, instruction
// counts of runs cut short).

#include <cstdint>
#include <vector>

#include "ebpf/program/program.h"
#include "jit/common/executable_memory.h"
#include "jit/common/instruction_blocks.h"
#include "jit/common/jit_options.h"
#include "jit/common/run_state.h"

namespace nicsim::jit {

// The entry of compiled code: runs the program with r1, r2 and returns r0 (the run state says
// whether the run completed). x86-64 code takes the arguments in another order
// (X86EntryFunction, jit/x86_64/x86_compiler.h), which is also the one of
// JitBackend::direct_entry.
using EntryFunction = uint64_t (*)(NativeRunState* state, uint64_t r1, uint64_t r2);
using DirectEntryFunction = uint64_t (*)(uint64_t r1, uint64_t r2, NativeRunState* state);

struct CompileStats {
  int passes = 0;  // branch relaxation passes
  size_t short_branches = 0;
  size_t long_branches = 0;
};

struct CompiledProgram {
  virtual ~CompiledProgram() = default;

  const ebpf::Program* program = nullptr;
  int object_index = -1;  // in the runtime's object, -1 for a program outside it
  JitOptions options;
  bool counts_instructions = false;  // checked code charges blocks against the budget
  // Verified code of an XDP program reads xdp_md fields from the context shadow directly, so
  // r1 must be run_xdp's context.
  bool needs_xdp_context = false;
  ExecutableMemory code;
  uint64_t entry = 0;  // the backend's entry function
  uint64_t body = 0;   // the code of instruction 0, where tail calls land
  // Per instruction slot: offset of its code in `code`, non-decreasing (the second slot of an
  // lddw has the offset of the first; an instruction that needs no code shares its offset
  // with the next one).
  std::vector<uint32_t> insn_offsets;
  std::vector<bool> second_slot;
  uint32_t instructions_end = 0;  // offset past the last instruction's code (stubs follow)
  BlockPlan blocks;
  CompileStats stats;

  bool contains(uint64_t address) const {
    return address >= code.address() && address - code.address() < code.size();
  }
  // The instruction whose code holds `address`; -1 outside the instructions' code.
  int64_t instruction_at(uint64_t address) const;
  // The instruction whose code starts at `address`; -1 if none does.
  int64_t instruction_starting_at(uint64_t address) const;
  uint64_t address_of(size_t slot) const { return code.address() + insn_offsets.at(slot); }
};

}  // namespace nicsim::jit
