#include "jit/common/invocation.h"

#include <fmt/format.h>

#include "ebpf/isa/opcodes.h"
#include "jit/common/jit_engine.h"

namespace nicsim::jit {

using ebpf::kStackSize;

namespace {

bool same_region(const ebpf::MemoryRegion& x, const ebpf::MemoryRegion& y) {
  return x.begin == y.begin && x.end == y.end && x.writable == y.writable && x.kind == y.kind;
}

}  // namespace

void Invocation::set_base_region(const ebpf::MemoryRegion& region) {
  const bool none = region.kind == ebpf::RegionKind::Stack;
  if (none ? !base_region_.has_value()
           : base_region_.has_value() && same_region(*base_region_, region))
    return;
  if (none) {
    base_region_.reset();
  } else {
    base_region_ = region;
  }
  registered_depth_ = UINT32_MAX;
}

void Invocation::reregister_regions(const NativeRunState& state, bool still_ours) {
  registered_depth_ = state.call_depth;
  // Only the live frames: a helper handed a pointer into a returned call's frame must fail.
  const uint64_t deepest = state.stack_top - uint64_t{state.call_depth} * kStackSize;
  const ebpf::MemoryRegion stack{deepest - kStackSize, state.stack_top, true,
                                 ebpf::RegionKind::Stack};
  const size_t count = base_region_.has_value() ? 2 : 1;
  if (still_ours && registered_.size() == count && same_region(registered_[0], stack) &&
      (count == 1 || same_region(registered_[1], *base_region_)))
    return;
  registered_.clear();
  registered_.push_back(stack);
  if (base_region_.has_value()) registered_.push_back(*base_region_);
  runtime_.copy_regions(registered_);
}

void Invocation::refund_rest_of_block(NativeRunState& state, const CompiledProgram* program,
                                      size_t slot) {
  if (program != nullptr && program->counts_instructions &&
      slot < program->blocks.remaining_after.size())
    state.budget_left += program->blocks.remaining_after[slot];
}

void Invocation::abort_at(NativeRunState& state, const CompiledProgram* program, size_t slot,
                          std::string message) {
  if (state.status != RunStatus::Running) return;  // the first fault wins
  state.status = RunStatus::Aborted;
  fault_program_ = program;
  fault_slot_ = slot;
  fault_ = std::move(message);
  refund_rest_of_block(state, program, slot);
}

void Invocation::abort_at_site(NativeRunState& state, uint64_t site, std::string message) {
  // The return address follows the call instruction; the byte before it is inside the call.
  const CompiledProgram* program = engine_.locate(site - 1);
  const int64_t slot = program != nullptr ? program->instruction_at(site - 1) : -1;
  abort_at(state, program, slot >= 0 ? static_cast<size_t>(slot) : 0, std::move(message));
}

void Invocation::finish_at_site(NativeRunState& state, uint64_t site) {
  if (state.status != RunStatus::Running) return;
  state.status = RunStatus::Finished;
  const CompiledProgram* program = engine_.locate(site - 1);
  const int64_t slot = program != nullptr ? program->instruction_at(site - 1) : -1;
  if (slot >= 0) refund_rest_of_block(state, program, static_cast<size_t>(slot));
}

std::string Invocation::diagnostic(const CompiledProgram& entry) const {
  std::string where = fmt::format("insn {}", fault_slot_);
  if (fault_program_ != nullptr && fault_program_ != &entry)
    where += fmt::format(" of '{}'", fault_program_->program->display_name());
  if (fault_program_ != nullptr) {
    if (const ebpf::SourceLocation* location = fault_program_->program->location_of(fault_slot_);
        location != nullptr && !location->file.empty())
      where += fmt::format(" ({}:{})", location->file, location->line);
  }
  return fmt::format("{}: {}", where, fault_);
}

}  // namespace nicsim::jit
