// What every backend translates the same way: jumps decided by the facts, calls (helper
// resolution, tail calls, callx dispatch), lddw values, and the choice between a plain, a
// checked and a context access. Refusals are worded as the interpreter's, so that both
// engines refuse the same programs in the same words.

#include <fmt/format.h>

#include <vector>

#include "ebpf/isa/opcodes.h"
#include "ebpf/runtime/helpers.h"
#include "jit/common/jit_error.h"
#include "jit/common/run_state.h"
#include "jit/common/translator.h"

namespace nicsim::jit {

using namespace ebpf;  // opcode constants

void Translator::translate_jump(size_t slot, const Insn& insn) {
  const Label target =
      insn_labels_.at(static_cast<size_t>(static_cast<int64_t>(slot) + insn.branch_offset() + 1));
  const InstructionFacts* fact = facts_at(slot);
  BranchOutcome decided = fact != nullptr ? fact->branch : BranchOutcome::Unknown;
  if (decided == BranchOutcome::Unknown && slot < null_checks_.size()) decided = null_checks_[slot];
  if (insn.op() == kJmpJa || decided == BranchOutcome::AlwaysTaken) {
    emit_jump(target);
  } else if (decided != BranchOutcome::NeverTaken) {
    emit_conditional_jump(slot, insn, target);
  }
}

void Translator::translate_call(size_t slot, const Insn& insn) {
  if (insn.src() == kCallLocal) {
    emit_local_call(slot,
                    insn_labels_.at(static_cast<size_t>(static_cast<int64_t>(slot) + insn.imm + 1)),
                    false);
    return;
  }
  if (insn.src() == kCallKfunc)
    throw JitError(
        fmt::format("insn {}: kfunc call (BTF id {}) is not supported by nicsim", slot, insn.imm));
  const int32_t id = insn.imm;
  if (id == kHelperTailCall) {
    emit_tail_call();
    return;
  }
  const HelperInfo* info = find_helper(id);
  if (info == nullptr || info->function == nullptr) {
    const std::string_view name = helper_name(id);
    if (name.empty()) throw JitError(fmt::format("insn {}: call to unknown helper {}", slot, id));
    throw JitError(
        fmt::format("insn {}: helper {} ({}) is not implemented by nicsim", slot, id, name));
  }
  switch (helper_call(slot, *info)) {
    case HelperCall::Inline:
      emit_array_lookup(pinned_array(slot, *info)->layout(), facts_at(slot)->lookup_key,
                        slot < key_registers_.size() ? key_registers_[slot] : -1);
      return;
    case HelperCall::MapLookup:
      // The map's own lookup, called directly: no dispatch on the map's type, key size fixed.
      emit_stub_call(direct_helper_thunk(
          reinterpret_cast<uint64_t>(pinned_map(slot, *info)->direct_lookup()), false));
      return;
    case HelperCall::Direct:
      emit_stub_call(direct_helper_thunk(reinterpret_cast<uint64_t>(info->verified),
                                         !info->verified_ignores_runtime));
      return;
    case HelperCall::Stub:
      break;
  }
  emit_stub_call(helper_entry(reinterpret_cast<uint64_t>(info->function)));
}

Map* Translator::pinned_map(size_t slot, const HelperInfo& info) const {
  const InstructionFacts* fact = facts_at(slot);
  if (info.id != kHelperMapLookupElem || fact == nullptr || fact->helper_map < 0 ||
      static_cast<size_t>(fact->helper_map) >= input_.runtime.map_count())
    return nullptr;
  return &input_.runtime.map(static_cast<size_t>(fact->helper_map));
}

ArrayMap* Translator::pinned_array(size_t slot, const HelperInfo& info) const {
  return dynamic_cast<ArrayMap*>(pinned_map(slot, info));
}

Translator::HelperCall Translator::helper_call(size_t slot, const HelperInfo& info) const {
  if (!verified_) return HelperCall::Stub;
  // Not when hardening: the inline constants would be unblinded.
  ArrayMap* array = hardening() ? nullptr : pinned_array(slot, info);
  if (array != nullptr && inlines_array_lookup(array->layout())) return HelperCall::Inline;
  if (!calls_helpers_directly()) return HelperCall::Stub;
  if (const Map* map = pinned_map(slot, info); map != nullptr && map->direct_lookup() != nullptr)
    return HelperCall::MapLookup;
  if (info.verified == nullptr) return HelperCall::Stub;
  // A helper that moves the packet needs the frame, and the stub to refresh the packet range
  // wherever something reads it.
  if (info.verified_moves_packet && !packet_moves_direct_) return HelperCall::Stub;
  return HelperCall::Direct;
}

Label Translator::helper_entry(uint64_t function) {
  stub(Stub::Helper);
  for (const HelperEntry& helper : helper_entries_) {
    if (helper.function == function) return helper.entry;
  }
  helper_entries_.push_back(HelperEntry{function, code_.new_label()});
  return helper_entries_.back().entry;
}

// Laid out right before the helper stub: the last entry falls into it, the others jump.
void Translator::emit_helper_entries() {
  for (size_t i = 0; i < helper_entries_.size(); ++i) {
    code_.bind(helper_entries_[i].entry);
    // The helper's host address is data for the slow path, which calls it; generated code
    // never branches there (under emulation it is not machine code of the target).
    emit_constant_to_scratch(helper_entries_[i].function);
    if (i + 1 < helper_entries_.size()) emit_jump(stubs_[static_cast<size_t>(Stub::Helper)]);
  }
}

Label Translator::direct_helper_thunk(uint64_t function, bool pass_runtime) {
  for (const DirectHelper& helper : direct_helpers_) {
    if (helper.function == function) return helper.thunk;
  }
  direct_helpers_.push_back(DirectHelper{function, pass_runtime, code_.new_label()});
  return direct_helpers_.back().thunk;
}

// bpf_tail_call(ctx, map, index): jump to the target program's first instruction with every
// register as it is (the frame is reused), or go on with r0 = errno.
void Translator::emit_tail_call() {
  emit_stub_call(stub(Stub::TailCall));
  const Label fall_through = code_.new_label();
  emit_branch_if_scratch_zero(fall_through);
  emit_jump_to_scratch();
  code_.bind(fall_through);
  emit_r0_from_state(run_state::kValue);
}

// callx: the stub says what the target is (slow_path::resolve_callx).
void Translator::translate_callx(size_t slot, const Insn& insn) {
  emit_register_to_scratch(insn.dst());
  emit_stub_call(stub(Stub::Callx));
  const Label not_local = code_.new_label();
  const Label tail_call = code_.new_label();
  const Label done = code_.new_label();
  emit_branch_if_scratch_not(static_cast<uint32_t>(slow_path::kCallxLocal), not_local);
  emit_scratch_from_state(run_state::kValue);
  emit_local_call(slot, Label{}, true);
  emit_jump(done);
  code_.bind(not_local);
  emit_branch_if_scratch_not(static_cast<uint32_t>(slow_path::kCallxHelper), tail_call);
  emit_scratch_from_state(run_state::kHelper);
  emit_stub_call(stub(Stub::Helper));
  emit_jump(done);
  code_.bind(tail_call);
  emit_tail_call();
  code_.bind(done);
}

void Translator::translate_lddw(size_t slot, const Insn& insn) {
  const Insn& next = input_.program.insns[slot + 1];
  const auto low = static_cast<uint32_t>(insn.imm);
  const auto high = static_cast<uint32_t>(next.imm);
  ebpf::Runtime& runtime = input_.runtime;
  switch (insn.src()) {
    case kLddwImm64:
      emit_lddw_immediate(slot, insn.dst(), (uint64_t{high} << 32) | low);
      return;
    case kLddwMapFd:
    case kLddwMapIdx:
    case kLddwMapValue:
    case kLddwMapIdxValue: {
      if (low >= runtime.map_count())
        throw JitError(fmt::format("insn {}: lddw refers to map {} but the object has {} map(s)",
                                   slot, low, runtime.map_count()));
      if (insn.src() == kLddwMapFd || insn.src() == kLddwMapIdx) {
        emit_load_address(insn.dst(), runtime.map_pointer(low));
        return;
      }
      // The value of the map's key 0 (array and global data maps), which never moves.
      Map& map = runtime.map(low);
      const MapDefinition& def = map.def();
      const std::vector<uint8_t> zero_key(def.key_size, 0);
      void* data = map.lookup(zero_key.data());
      if (data == nullptr)
        throw JitError(fmt::format("insn {}: map '{}' has no value at key 0 for lddw map_value",
                                   slot, def.name));
      if (high >= def.value_size)
        throw JitError(fmt::format("insn {}: offset {} is outside the {}-byte value of map '{}'",
                                   slot, high, def.value_size, def.name));
      emit_load_address(insn.dst(), reinterpret_cast<uint64_t>(data) + high);
      return;
    }
    case kLddwBtfId:
      // As the interpreter: the program runs until it reaches this instruction.
      emit_fault(slow_path::FaultKind::LddwBtf, slot, 0);
      return;
    case kLddwFunc: {
      const int64_t target = static_cast<int64_t>(slot) + insn.imm + 1;
      const bool inside = target >= 0 && target < static_cast<int64_t>(insn_labels_.size());
      if (!inside || second_slots_[static_cast<size_t>(target)])
        throw JitError(fmt::format(
            "insn {}: lddw function address: target insn {} is not an instruction", slot, target));
      emit_code_address(insn.dst(), insn_labels_[static_cast<size_t>(target)]);
      return;
    }
    default:
      throw JitError(fmt::format("insn {}: invalid lddw source {}", slot, insn.src()));
  }
}

void Translator::translate_load(size_t slot, const Insn& insn) {
  const int size = access_bytes(insn.size());
  const bool sign_extend = insn.mode() == kModeMemsx;
  if (proven_base(slot) == PointerKind::Context) {
    // The kernel's convert_ctx_access: the xdp_md field becomes a load from the shadow.
    const ContextField* field = sign_extend ? nullptr : find_xdp_context_field(insn.offset, size);
    if (field == nullptr)
      throw JitError(fmt::format("insn {}: invalid {}read of {} bytes at xdp_md{:+d}", slot,
                                 sign_extend ? "sign-extending " : "", size, insn.offset));
    emit_plain_load(insn.dst(), insn.src(), field->shadow_offset, field->shadow_size, false);
    translates_context_ = true;
    return;
  }
  if (direct_access(slot, insn.src(), insn.offset, size)) {
    emit_plain_load(insn.dst(), insn.src(), insn.offset, size, sign_extend);
    return;
  }
  emit_address_to_scratch(insn.src(), insn.offset);
  emit_stub_call(load_stub(size, sign_extend));
  emit_checked_load_result(insn.dst(), size, sign_extend);
}

void Translator::refuse_context_write(size_t slot, const Insn& insn) const {
  if (proven_base(slot) != PointerKind::Context) return;
  throw JitError(
      fmt::format("insn {}: invalid write of {} bytes at xdp_md{:+d}: the context is read-only",
                  slot, access_bytes(insn.size()), insn.offset));
}

void Translator::translate_store(size_t slot, const Insn& insn) {
  refuse_context_write(slot, insn);
  const bool direct = direct_access(slot, insn.dst(), insn.offset, access_bytes(insn.size()));
  if (!direct) {
    emit_address_to_scratch(insn.dst(), insn.offset);
    emit_stub_call(store_stub(access_bytes(insn.size())));
  }
  emit_store(slot, insn, direct);
}

void Translator::translate_atomic(size_t slot, const Insn& insn) {
  // Fetching forms write the old value into src (cmpxchg into r0).
  const bool fetch = (insn.imm & kAtomicFetch) != 0;
  if (fetch && insn.imm != kAtomicCmpxchg && insn.src() == kFrameRegister)
    throw JitError(
        fmt::format("insn {}: atomic fetch would write the read-only frame pointer r10", slot));
  refuse_context_write(slot, insn);
  emit_atomic(slot, insn, direct_access(slot, insn.dst(), insn.offset, access_bytes(insn.size())));
}

}  // namespace nicsim::jit
