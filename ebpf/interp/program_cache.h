#pragma once
// The decoded programs an interpreter runs: its entry program, decoded when the interpreter is
// built, and the other programs of the object, decoded on their first tail call and kept.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ebpf/interp/decoded_program.h"
#include "ebpf/runtime/runtime.h"

namespace nicsim::ebpf::interp {

// What bpf_tail_call(ctx, map, index) does: continue in `target`, or (target == nullptr) fail
// with a negative errno in r0 and go on with the next instruction.
struct TailCallOutcome {
  const DecodedProgram* target = nullptr;
  int64_t error = 0;
};

class ProgramCache {
 public:
  // Throws what decode_program throws for the entry program.
  ProgramCache(const Program& entry, Runtime& runtime);
  ProgramCache(const ProgramCache&) = delete;
  ProgramCache& operator=(const ProgramCache&) = delete;

  const DecodedProgram& entry() const { return *entry_; }

  // Resolves a tail call made after `tail_calls_done` successful ones in this invocation.
  // Returns false with `fault` set when the program must be aborted instead (r2 is not a
  // prog_array map, or the target program cannot be decoded).
  bool resolve_tail_call(uint64_t map_pointer, uint64_t index, uint32_t tail_calls_done,
                         TailCallOutcome& outcome, std::string& fault);

 private:
  const DecodedProgram* program_at(size_t object_index, std::string& fault);

  Runtime& runtime_;
  // By index in runtime_.object().programs; entries appear as tail calls reach them.
  std::vector<std::unique_ptr<DecodedProgram>> decoded_;
  std::unique_ptr<DecodedProgram> standalone_entry_;  // an entry program outside the object
  const DecodedProgram* entry_ = nullptr;
};

}  // namespace nicsim::ebpf::interp
