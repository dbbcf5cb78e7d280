// The walk over a program, the dispatch of instructions to the backend, the cold paths and
// the layout of the stubs.

#include "jit/common/translator.h"

#include "ebpf/isa/opcodes.h"
#include "ebpf/runtime/helpers.h"
#include "jit/common/jit_error.h"
#include "jit/common/run_state.h"
#include "jit/common/unread_definitions.h"

namespace nicsim::jit {

using namespace ebpf;  // opcode constants

namespace {

// splitmix64: a well-mixed key per instruction from one seed.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

size_t size_index(int size) {
  return size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
}

bool is_memory_access(const Instruction& insn) {
  return insn.cls() == kClassLdx || insn.cls() == kClassSt || insn.cls() == kClassStx;
}

}  // namespace

Translator::Translator(CodeBuffer& code, const TranslationInput& input, bool can_enter_directly)
    : code_(code),
      input_(input),
      counting_(input.options.mode == SafetyMode::Checked),
      tracking_(input.options.mode == SafetyMode::Checked),
      verified_(input.options.mode == SafetyMode::Verified && input.facts != nullptr),
      plan_(plan_entry(input.program, verified_ ? input.facts : nullptr)) {
  // Checked code can be a tail call's target, entered with the caller's return address on
  // the stack: only verified code (never a target) falls into its body.
  direct_ = can_enter_directly && verified_ && plan_.single_function;
  const auto& insns = input.program.insns;
  const size_t n = insns.size();
  insn_labels_.reserve(n);
  for (size_t i = 0; i < n; ++i)
    insn_labels_.push_back(code_.new_label());
  insn_offsets_.assign(n, 0);
  second_slots_.assign(n, false);
  for (size_t i = 0; i < n; i += insns[i].is_lddw() ? 2 : 1) {
    if (insns[i].is_lddw() && i + 1 < n) second_slots_[i + 1] = true;
    last_slot_ = i;
  }
  leave_ = code_.new_label();
  epilogue_ = code_.new_label();
  bool on_frame_only = false;
  bool legacy_loads = false;
  if (verified_) {
    // Accesses the verifier did not prove safe are checked, which needs the live stack range.
    for (size_t i = 0; i < n; ++i) {
      const InstructionFacts* fact = facts_at(i);
      if (fact == nullptr || !fact->reachable) continue;
      if (is_memory_access(insns[i]) && !fact->access_safe && fact->base != PointerKind::Context)
        tracking_ = true;
      // A context load translated at compile time (translate_load).
      if (insns[i].cls() == kClassLdx && fact->base == PointerKind::Context) on_frame_only = true;
      if (insns[i].cls() == kClassLd && !insns[i].is_lddw() && !second_slots_[i])
        legacy_loads = true;
    }
  }
  packet_moves_direct_ = on_frame_only && !tracking_ && !legacy_loads && !plan_.may_tail_call;
}

void Translator::plan_calls() {
  bool through_stubs = false;
  calls_helpers_ = false;
  const auto& insns = input_.program.insns;
  for (size_t i = 0; i < insns.size(); i += insns[i].is_lddw() ? 2 : 1) {
    const Insn& insn = insns[i];
    if (verified_ && facts_at(i) != nullptr && !facts_at(i)->reachable) continue;
    const bool call = insn.cls() == kClassJmp && insn.op() == kJmpCall;
    if (insn.cls() == kClassLd && !insn.is_lddw()) {
      through_stubs = true;  // legacy packet loads
    } else if (call && insn.source() == kSrcX) {
      through_stubs = true;
    } else if (call && insn.src() != kCallLocal && insn.src() != kCallKfunc) {
      const HelperInfo* info = find_helper(insn.imm);
      // Unknown helpers and tail calls: translate_call refuses or stubs them.
      const HelperCall kind =
          info != nullptr && info->function != nullptr ? helper_call(i, *info) : HelperCall::Stub;
      if (kind == HelperCall::Stub) through_stubs = true;
      if (kind == HelperCall::Direct || kind == HelperCall::MapLookup) calls_helpers_ = true;
    }
  }
  // Other uses of the run state (a fault) show in the first pass.
  run_state_ = input_.run_state_expected || counting_ || tracking_ || through_stubs;
}

void Translator::emit_epilogue() {
  throw JitError("jit: this backend always calls the program's body");
}

bool Translator::emit_copy_plus_constant(int, int, int32_t) {
  return false;
}

bool Translator::copy_then_add(size_t slot) const {
  const auto& insns = input_.program.insns;
  if (!verified_ || hardening() || slot + 1 >= insns.size() || input_.blocks.leader[slot + 1])
    return false;
  const Insn& copy = insns[slot];
  const Insn& add = insns[slot + 1];
  return copy.opcode == (kClassAlu64 | kSrcX | kAluMov) && copy.offset == 0 &&
         add.opcode == (kClassAlu64 | kSrcK | kAluAdd) && add.dst() == copy.dst();
}

bool Translator::used_run_state() const {
  return counting_ || tracking_ || code_.is_bound(leave_);
}

uint16_t Translator::helper_call_reads(size_t slot) const {
  constexpr uint16_t kArguments = 0b111110;
  if (!inlined_lookup(slot)) return kArguments;
  // The inline array lookup reads the key through r2, unless the key is a known constant or
  // is taken from the register it was stored from (whose read is the store's).
  const auto& key = facts_at(slot)->lookup_key;
  if ((key && key->min == key->max) || key_registers_[slot] >= 0) return 0;
  return 1U << 2;
}

bool Translator::inlined_lookup(size_t slot) const {
  const Insn& insn = input_.program.insns[slot];
  if (!insn.is_call() || insn.src() != kCallHelper) return false;
  const HelperInfo* info = find_helper(insn.imm);
  return info != nullptr && info->function != nullptr &&
         helper_call(slot, *info) == HelperCall::Inline;
}

std::optional<Translator::KeyStore> Translator::lookup_key_store(size_t slot) const {
  const auto& insns = input_.program.insns;
  std::optional<int16_t> r2_offset;  // r2 = r10 + offset at the call
  for (size_t at = slot; at-- > 0 && !input_.blocks.leader[at + 1];) {
    if (second_slots_[at]) continue;
    const Insn& insn = insns[at];
    const bool defines_r2 =
        (insn.is_alu() || insn.cls() == kClassLdx || insn.is_lddw()) && insn.dst() == 2;
    if (defines_r2 && !r2_offset) {
      // r2 = r10; r2 += K, the pair compilers emit for a stack key.
      const bool add = at > 0 && copy_then_add(at - 1) && insns[at - 1].src() == kFrameRegister;
      if (!add || insn.imm < INT16_MIN || insn.imm > INT16_MAX) return std::nullopt;
      r2_offset = static_cast<int16_t>(insn.imm);
      --at;  // the copy
      continue;
    }
    if (insn.cls() == kClassSt || insn.cls() == kClassStx) {
      const bool key_store = r2_offset && insn.cls() == kClassStx && insn.mode() == kModeMem &&
                             insn.size() == kSizeW && insn.dst() == kFrameRegister &&
                             insn.offset == *r2_offset && insn.src() != kFrameRegister;
      if (!key_store) return std::nullopt;  // another write to memory, or r2 not known yet
      return KeyStore{at, insn.src()};
    }
    if (insn.is_jmp() || (insn.cls() == kClassLd && !insn.is_lddw())) return std::nullopt;
  }
  return std::nullopt;
}

void Translator::plan_key_registers() {
  const auto& insns = input_.program.insns;
  const size_t n = insns.size();
  key_registers_.assign(n, -1);
  std::vector<size_t> stores(n, 0);
  for (size_t slot = 0; slot < n; slot += insns[slot].is_lddw() ? 2 : 1) {
    if (!inlined_lookup(slot)) continue;
    if (const auto store = lookup_key_store(slot)) {
      key_registers_[slot] = static_cast<int8_t>(store->reg);
      stores[slot] = store->slot;
    }
  }
  const bool leaves_out = !hardening() && leaves_out_unread_definitions();
  std::vector<bool> reachable(n, true);
  for (size_t i = 0; i < n; ++i)
    reachable[i] = facts_at(i) == nullptr || facts_at(i)->reachable;
  // The register must still hold the key at the call: whatever defines it in between must be
  // left out, which may take the key from another call (then its r2 is read again).
  for (bool changed = true; changed;) {
    if (leaves_out) {
      unread_ = unread_definitions(insns, reachable,
                                   [this](size_t slot) { return helper_call_reads(slot); });
    }
    changed = false;
    for (size_t slot = 0; slot < n; ++slot) {
      const int reg = key_registers_[slot];
      if (reg < 0) continue;
      for (size_t k = stores[slot] + 1; k < slot; ++k) {
        const Insn& insn = insns[k];
        const bool defines = !second_slots_[k] && insn.dst() == reg &&
                             (insn.is_alu() || insn.cls() == kClassLdx || insn.is_lddw());
        if (defines && !(k < unread_.size() && unread_[k])) {
          key_registers_[slot] = -1;
          changed = true;
          break;
        }
      }
    }
  }
}

bool Translator::lookup_cannot_fail(size_t slot) const {
  if (!inlined_lookup(slot)) return false;
  const auto& key = facts_at(slot)->lookup_key;
  const HelperInfo* info = find_helper(input_.program.insns[slot].imm);
  return key && key->max < pinned_array(slot, *info)->layout().max_entries;
}

void Translator::plan_null_checks() {
  const auto& insns = input_.program.insns;
  for (size_t call = 0; call < insns.size(); call += insns[call].is_lddw() ? 2 : 1) {
    if (!lookup_cannot_fail(call)) continue;
    uint16_t holding = 1U << 0;  // registers holding the lookup's result
    for (size_t at = call + 1; at < insns.size() && !input_.blocks.leader[at];
         at += insns[at].is_lddw() ? 2 : 1) {
      const Insn& insn = insns[at];
      const bool null_test = insn.cls() == kClassJmp && insn.source() == kSrcK && insn.imm == 0 &&
                             (insn.op() == kJmpJeq || insn.op() == kJmpJne);
      if (null_test && (holding & (1U << insn.dst()))) {
        if (null_checks_.empty()) null_checks_.assign(insns.size(), BranchOutcome::Unknown);
        null_checks_[at] =
            insn.op() == kJmpJeq ? BranchOutcome::NeverTaken : BranchOutcome::AlwaysTaken;
      }
      if (insn.is_jmp()) break;  // jumps, calls and exits end the straight line
      const bool copy = insn.opcode == (kClassAlu64 | kSrcX | kAluMov) && insn.offset == 0 &&
                        insn.imm == 0 && (holding & (1U << insn.src()));
      if (copy) {
        holding |= static_cast<uint16_t>(1U << insn.dst());
      } else if (insn.is_alu() || insn.cls() == kClassLdx || insn.is_lddw()) {
        holding &= static_cast<uint16_t>(~(1U << insn.dst()));
      } else if (insn.cls() != kClassSt && insn.cls() != kClassStx) {
        break;  // legacy packet loads
      } else if (insn.mode() == kModeAtomic && (insn.imm & kAtomicFetch)) {
        holding = 0;  // defines r0 or its source: give up rather than track which
      }
    }
  }
}

void Translator::emit_program() {
  plan_calls();
  if (verified_) {
    plan_null_checks();
    plan_key_registers();
  }
  emit_prologue();
  const auto& insns = input_.program.insns;
  for (size_t i = 0; i < insns.size();) {
    const size_t next = i + (insns[i].is_lddw() ? 2 : 1);
    code_.bind(insn_labels_[i]);
    insn_offsets_[i] = static_cast<uint32_t>(code_.size());
    if (insns[i].is_lddw() && i + 1 < insns.size()) {
      insn_offsets_[i + 1] = insn_offsets_[i];
      code_.bind(insn_labels_[i + 1]);  // never a target (validated), bound for completeness
    }
    // Verified code leaves out what no execution reaches (checked code counts it in blocks).
    const bool dead = (verified_ && facts_at(i) != nullptr && !facts_at(i)->reachable) ||
                      (i < unread_.size() && unread_[i]);
    if (!dead && counting_ && input_.blocks.leader[i]) charge_block(i);
    if (!dead && copy_then_add(i) &&
        emit_copy_plus_constant(insns[i].dst(), insns[i].src(), insns[next].imm)) {
      code_.bind(insn_labels_[next]);  // no jump lands there
      insn_offsets_[next] = static_cast<uint32_t>(code_.size());
      i = next + 1;
      continue;
    }
    if (!dead) translate(i);
    i = next;
  }
  // Falling off the end of the program is a fault, not a run into the stubs.
  if (!insns.empty() && !insns[last_slot_].is_exit() && !insns[last_slot_].is_unconditional_jump())
    emit_fault(slow_path::FaultKind::EndOfProgram, insns.size(), 0);
  // The leave path and early exits need the epilogue even when no exit led into it.
  if (direct_ && !code_.is_bound(epilogue_)) {
    code_.bind(epilogue_);
    emit_epilogue();
  }
  instructions_end_ = static_cast<uint32_t>(code_.size());
  emit_cold_paths();
  emit_stubs();  // last: the cold paths call the fault stub
}

void Translator::charge_block(size_t slot) {
  // A block is charged in full on entry; the cold path works out where the interpreter would
  // have stopped.
  const uint32_t length = input_.blocks.length[slot];
  emit_budget_charge(length, cold_path(slow_path::FaultKind::Budget, slot, length));
}

void Translator::translate(size_t slot) {
  const Insn& insn = input_.program.insns[slot];
  switch (insn.cls()) {
    case kClassAlu:
    case kClassAlu64:
      if (!redundant_zero_extension(slot, insn)) translate_alu(slot, insn);
      return;
    case kClassJmp:
    case kClassJmp32:
      if (insn.op() == kJmpCall) {
        if (insn.source() == kSrcX) {
          translate_callx(slot, insn);
        } else {
          translate_call(slot, insn);
        }
      } else if (insn.op() == kJmpExit) {
        translate_exit(slot);
      } else {
        translate_jump(slot, insn);
      }
      return;
    case kClassLd:
      if (insn.is_lddw()) {
        translate_lddw(slot, insn);
      } else {
        translate_legacy_load(insn);
      }
      return;
    case kClassLdx:
      translate_load(slot, insn);
      return;
    case kClassSt:
      translate_store(slot, insn);
      return;
    default:  // STX
      if (insn.mode() == kModeAtomic) {
        translate_atomic(slot, insn);
      } else {
        translate_store(slot, insn);
      }
      return;
  }
}

void Translator::translate_exit(size_t slot) {
  // The last instruction's exit is the epilogue itself: the others reach it without a jump
  // back.
  if (direct_ && slot == last_slot_) {
    code_.bind(epilogue_);
    emit_epilogue();
    return;
  }
  emit_exit();
}

const InstructionFacts* Translator::facts_at(size_t slot) const {
  if (!verified_ || slot >= input_.facts->insns.size()) return nullptr;
  return &input_.facts->insns[slot];
}

bool Translator::proven_safe(size_t slot) const {
  const InstructionFacts* fact = facts_at(slot);
  return fact != nullptr && fact->access_safe;
}

PointerKind Translator::proven_base(size_t slot) const {
  const InstructionFacts* fact = facts_at(slot);
  return fact != nullptr ? fact->base : PointerKind::Unknown;
}

bool Translator::direct_access(size_t slot, int base, int16_t offset, int size) const {
  const bool in_frame = base == kFrameRegister && offset >= -kStackSize && offset + size <= 0;
  return in_frame || proven_safe(slot);
}

bool Translator::redundant_zero_extension(size_t slot, const Insn& insn) const {
  const InstructionFacts* fact = facts_at(slot);
  if (fact == nullptr || !fact->zero_extension_redundant || insn.cls() != kClassAlu) return false;
  switch (insn.op()) {
    case kAluMov:  // w1 = w1, the idiom compilers zero-extend with
      return insn.source() == kSrcX && insn.offset == 0 && insn.dst() == insn.src();
    case kAluLsh:
    case kAluRsh:
    case kAluArsh:
      return insn.source() == kSrcK && (insn.imm & 31) == 0;
    case kAluEnd:  // le32: to little endian on a little-endian host
      return insn.source() == kSrcK && insn.imm == 32;
    default:
      return false;
  }
}

uint32_t Translator::blinding_key(size_t slot) const {
  const auto key = static_cast<uint32_t>(mix(input_.options.blinding_seed ^ mix(slot)));
  return key != 0 ? key : 0x5bd1e995u;
}

Label Translator::stub(Stub stub) {
  Label& label = stubs_[static_cast<size_t>(stub)];
  if (!label.valid()) label = code_.new_label();
  return label;
}

Label Translator::load_stub(int size, bool sign_extend) {
  Label& label = load_stubs_[size_index(size)][sign_extend ? 1 : 0];
  if (!label.valid()) label = code_.new_label();
  return label;
}

Label Translator::store_stub(int size) {
  Label& label = store_stubs_[size_index(size)];
  if (!label.valid()) label = code_.new_label();
  return label;
}

Label Translator::cold_path(slow_path::FaultKind kind, size_t slot, uint32_t extra) {
  const Label label = code_.new_label();
  cold_paths_.push_back(ColdPath{label, kind, static_cast<uint32_t>(slot), extra});
  return label;
}

void Translator::emit_cold_paths() {
  for (const ColdPath& cold : cold_paths_) {
    code_.bind(cold.label);
    emit_fault(cold.kind, cold.insn, cold.extra);
  }
}

void Translator::emit_stubs() {
  bool any = false;
  for (const Label& label : stubs_)
    any = any || label.valid();
  for (const auto& sizes : load_stubs_)
    for (const Label& label : sizes)
      any = any || label.valid();
  for (const Label& label : store_stubs_)
    any = any || label.valid();
  // Direct helper thunks never leave early: they need no leave path.
  for (const DirectHelper& helper : direct_helpers_) {
    code_.bind(helper.thunk);
    emit_direct_helper_thunk(helper.function, helper.pass_runtime);
  }
  if (!any) return;  // verified code without calls needs no stubs at all
  code_.bind(leave_);
  emit_leave_path();
  for (int size : {1, 2, 4, 8}) {
    for (bool sign_extend : {false, true}) {
      const Label load = load_stubs_[size_index(size)][sign_extend ? 1 : 0];
      if (load.valid()) emit_check_stub(load, size, true, sign_extend);
    }
    const Label store = store_stubs_[size_index(size)];
    if (store.valid()) emit_check_stub(store, size, false, false);
  }
  for (size_t i = 0; i < kStubCount; ++i) {
    if (!stubs_[i].valid()) continue;
    if (static_cast<Stub>(i) == Stub::Helper) emit_helper_entries();
    code_.bind(stubs_[i]);
    emit_stub_body(static_cast<Stub>(i));
  }
}

void Translator::emit_stub_body(Stub stub) {
  switch (stub) {
    case Stub::Helper:
      emit_helper_stub();
      return;
    case Stub::TailCall:
      emit_tail_call_stub();
      return;
    case Stub::Callx:
      emit_callx_stub();
      return;
    case Stub::LegacyLoad:
      emit_legacy_stub();
      return;
    case Stub::Fault:
      emit_fault_stub();
      return;
  }
}

// In: the address in the scratch register. A load returns the value there; a store returns
// when the program may write the bytes. The two inline ranges (live stack frames, packet or
// raw memory) come first, then the out-of-line check.
void Translator::emit_check_stub(Label entry, int size, bool load, bool sign_extend) {
  static_assert(run_state::kLiveStackSize == run_state::kLiveStackBegin + 8);
  static_assert(run_state::kDataSize == run_state::kDataBegin + 8);
  code_.bind(entry);
  const Label not_stack = code_.new_label();
  const Label hit = code_.new_label();
  const Label slow = code_.new_label();
  emit_range_check(run_state::kLiveStackBegin, size, not_stack);
  emit_jump(hit);
  code_.bind(not_stack);
  emit_range_check(run_state::kDataBegin, size, slow);
  code_.bind(hit);
  if (load) emit_load_stub_hit(size, sign_extend);
  emit_return();
  code_.bind(slow);
  if (load) {
    emit_load_stub_slow(size, sign_extend);
  } else {
    emit_store_stub_slow(size);
  }
  emit_check_status_and_return();
}

}  // namespace nicsim::jit
