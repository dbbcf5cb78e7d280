#include "jit/common/slow_paths.h"

#include <fmt/format.h>

#include <cerrno>
#include <exception>

#include "ebpf/maps/prog_array_map.h"
#include "ebpf/runtime/helpers.h"
#include "jit/common/invocation.h"
#include "jit/common/jit_engine.h"

namespace nicsim::jit::slow_path {

namespace {

Invocation& invocation_of(NativeRunState* state) {
  return *state->invocation;
}

}  // namespace

uint64_t load(NativeRunState* state, uint64_t address, uint64_t size_flags,
              uint64_t site) noexcept {
  Invocation& invocation = invocation_of(state);
  const int size = static_cast<int>(size_flags & 0xff);
  uint64_t value = 0;
  if (!invocation.checker().load(*state, address, size, (size_flags & kSignExtend) != 0, value))
    invocation.abort_at_site(*state, site, invocation.checker().fault());
  return value;
}

void check_write(NativeRunState* state, uint64_t address, uint64_t size, uint64_t site) noexcept {
  Invocation& invocation = invocation_of(state);
  if (!invocation.checker().check_write(*state, address, static_cast<int>(size)))
    invocation.abort_at_site(*state, site, invocation.checker().fault());
}

uint64_t call_helper(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
                     NativeRunState* state) noexcept {
  Invocation& invocation = invocation_of(state);
  ebpf::Runtime& runtime = invocation.runtime();
  uint64_t r0 = 0;
  try {
    invocation.register_regions(*state);
    const auto helper = reinterpret_cast<ebpf::HelperFunction>(state->helper);
    r0 = helper(r1, r2, r3, r4, r5, &runtime);
  } catch (const std::exception& e) {
    // Helpers report bad arguments through the runtime; anything thrown is nicsim's problem,
    // but it must not unwind through generated code.
    runtime.raise_fault(fmt::format("helper failed: {}", e.what()));
  }
  // Helpers word their own faults ("helper map_update_elem: key pointer ... is not readable").
  if (runtime.fault().has_value()) {
    invocation.abort_at_site(*state, state->site, *runtime.fault());
    return 0;
  }
  invocation.refresh_data(*state);  // xdp_adjust_head/tail/meta move the packet
  return r0;
}

uint64_t tail_call(NativeRunState* state, uint64_t map, uint64_t index, uint64_t site) noexcept {
  Invocation& invocation = invocation_of(state);
  ebpf::Runtime& runtime = invocation.runtime();
  const auto* prog_array = dynamic_cast<const ebpf::ProgArrayMap*>(runtime.map_from_pointer(map));
  if (prog_array == nullptr) {
    invocation.abort_at_site(
        *state, site, fmt::format("helper tail_call: r2 = {:#x} is not a prog_array map", map));
    return 0;
  }
  // The kernel's order of checks (bpf_tail_call): index, then the limit, then an empty slot;
  // each falls through to the next instruction, with the interpreter's errno in r0.
  const auto key = static_cast<uint32_t>(index);
  if (key >= prog_array->def().max_entries) {
    state->value = static_cast<uint64_t>(int64_t{-ENOENT});
    return 0;
  }
  if (state->tail_calls >= ebpf::kMaxTailCalls) {
    state->value = static_cast<uint64_t>(int64_t{-E2BIG});
    return 0;
  }
  const std::optional<uint32_t> program = prog_array->program_at(key);
  if (!program || *program >= runtime.object().programs.size()) {
    state->value = static_cast<uint64_t>(int64_t{-ENOENT});
    return 0;
  }
  std::string fault;
  const CompiledProgram* target = invocation.engine().tail_call_target(*program, fault);
  if (target == nullptr) {
    invocation.abort_at_site(*state, site, std::move(fault));
    return 0;
  }
  ++state->tail_calls;
  return target->body;
}

uint64_t resolve_callx(NativeRunState* state, uint64_t target, uint64_t site) noexcept {
  Invocation& invocation = invocation_of(state);
  const CompiledProgram* program = invocation.engine().locate(site - 1);
  if (program != nullptr && program->instruction_starting_at(target) >= 0) {
    state->value = target;
    return kCallxLocal;
  }
  // The bpf_conformance contract: a register holding a helper id calls that helper.
  if (target <= static_cast<uint64_t>(INT32_MAX)) {
    const auto id = static_cast<int32_t>(target);
    if (id == ebpf::kHelperTailCall) return kCallxTailCall;
    const ebpf::HelperInfo* info = ebpf::find_helper(id);
    if (info != nullptr && info->function != nullptr) {
      state->helper = reinterpret_cast<uint64_t>(info->function);
      return kCallxHelper;
    }
    const std::string_view name = ebpf::helper_name(id);
    if (!name.empty()) {
      invocation.abort_at_site(
          *state, site,
          fmt::format("callx to helper {} ({}), which nicsim does not implement", id, name));
      return kCallxHelper;
    }
  }
  int reg = 0;
  if (program != nullptr) {
    const int64_t slot = program->instruction_at(site - 1);
    if (slot >= 0) reg = program->program->insns[static_cast<size_t>(slot)].dst();
  }
  invocation.abort_at_site(
      *state, site,
      fmt::format("callx r{} = {:#x} is neither a function address nor a helper id", reg, target));
  return kCallxHelper;
}

void fault(NativeRunState* state, FaultKind kind, uint64_t insn, uint64_t extra,
           uint64_t site) noexcept {
  Invocation& invocation = invocation_of(state);
  const CompiledProgram* program = invocation.engine().locate(site - 1);
  switch (kind) {
    case FaultKind::Budget: {
      // The block of `extra` instructions at `insn` did not fit: the interpreter would have
      // run as many of them as the budget had left and stopped at the next one.
      const uint64_t left_before = state->budget_left + extra;
      const uint64_t limit = invocation.engine().options().instruction_budget;
      size_t slot = insn;
      if (program != nullptr)
        slot = nth_instruction_of_block(program->program->insns, insn, left_before);
      invocation.abort_at(*state, program, slot,
                          fmt::format("instruction budget of {} exceeded", limit));
      state->budget_left = 0;  // the interpreter's count stops at the budget: no refund
      return;
    }
    case FaultKind::CallDepth:
      invocation.abort_at(
          *state, program, insn,
          fmt::format("call depth exceeded: more than {} frames", ebpf::kMaxCallDepth));
      return;
    case FaultKind::LddwBtf:
      invocation.abort_at(*state, program, insn,
                          "lddw of a kernel variable by BTF id (src 3) is not supported by nicsim");
      return;
    case FaultKind::EndOfProgram:
      // As the interpreter's sentinel slot after the last one: it counts as an instruction.
      if (program != nullptr && program->counts_instructions) {
        if (state->budget_left == 0) {
          invocation.abort_at(*state, program, insn,
                              fmt::format("instruction budget of {} exceeded",
                                          invocation.engine().options().instruction_budget));
          return;
        }
        --state->budget_left;
      }
      invocation.abort_at(*state, program, insn, "execution ran past the last instruction");
      return;
  }
  invocation.abort_at(*state, program, insn, "unknown fault");
}

uint64_t legacy_load(NativeRunState* state, int64_t offset, uint64_t size, uint64_t site) noexcept {
  Invocation& invocation = invocation_of(state);
  uint64_t value = 0;
  if (!invocation.checker().legacy_load(*state, offset, static_cast<int>(size), value)) {
    invocation.finish_at_site(*state, site);
    return 0;
  }
  return value;
}

}  // namespace nicsim::jit::slow_path
