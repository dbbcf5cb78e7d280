#include "jit/arm64/a64_translator.h"

#include <fmt/format.h>

#include "jit/common/jit_error.h"
#include "jit/common/run_state.h"

namespace nicsim::jit::a64 {

using namespace ebpf;  // opcode constants

namespace {

// splitmix64: a well-mixed key per instruction from one seed.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

A64Translator::A64Translator(CodeBuffer& code, A64BranchRelaxer& relaxer, const Program& program,
                             Runtime& runtime, const JitOptions& options, const ProgramFacts* facts,
                             const BlockPlan& blocks, const HostCallTable& host_calls)
    : code_(code),
      enc_(code, &relaxer),
      program_(program),
      runtime_(runtime),
      options_(options),
      facts_(facts),
      blocks_(blocks),
      host_calls_(host_calls),
      counting_(options.mode == SafetyMode::Checked),
      tracking_(options.mode == SafetyMode::Checked),
      blinding_seed_(options.blinding_seed) {
  const size_t n = program.insns.size();
  insn_labels_.reserve(n);
  for (size_t i = 0; i < n; ++i)
    insn_labels_.push_back(code_.new_label());
  insn_offsets_.assign(n, 0);
  second_slots_.assign(n, false);
  for (size_t i = 0; i < n; i += program.insns[i].is_lddw() ? 2 : 1) {
    if (program.insns[i].is_lddw() && i + 1 < n) second_slots_[i + 1] = true;
  }
  leave_ = code_.new_label();
  epilogue_ = code_.new_label();
  if (options.mode == SafetyMode::Verified && facts != nullptr) {
    // Accesses the verifier did not prove safe are checked, which needs the live stack range.
    for (size_t i = 0; i < n; ++i) {
      const Insn& insn = program.insns[i];
      const bool memory =
          insn.cls() == kClassLdx || insn.cls() == kClassSt || insn.cls() == kClassStx;
      if (memory && i < facts->insns.size() && facts->insns[i].reachable &&
          !facts->insns[i].access_safe && facts->insns[i].base != PointerKind::Context)
        tracking_ = true;
    }
  }
}

bool A64Translator::emit_program() {
  emit_entry_trampoline();
  const auto& insns = program_.insns;
  for (size_t i = 0; i < insns.size(); i += insns[i].is_lddw() ? 2 : 1) {
    code_.bind(insn_labels_[i]);
    insn_offsets_[i] = static_cast<uint32_t>(code_.size());
    if (insns[i].is_lddw() && i + 1 < insns.size()) {
      insn_offsets_[i + 1] = insn_offsets_[i];
      code_.bind(insn_labels_[i + 1]);  // never a target (validated), bound for completeness
    }
    if (counting_ && blocks_.leader[i]) charge_block(i);
    translate(i);
  }
  // Falling off the end of the program is a fault, not a run into the stubs.
  size_t last = 0;
  for (size_t i = 0; i < insns.size(); i += insns[i].is_lddw() ? 2 : 1)
    last = i;
  if (!insns.empty() && !insns[last].is_exit() && !insns[last].is_unconditional_jump())
    emit_fault(slow_path::FaultKind::EndOfProgram, insns.size(), 0);
  instructions_end_ = static_cast<uint32_t>(code_.size());
  emit_cold_paths();
  emit_stubs();  // last: the cold paths call the fault stub
  return enc_.resolve_branches();
}

void A64Translator::charge_block(size_t slot) {
  // A block is charged in full on entry; a borrow (carry clear) says the budget cannot cover
  // it, and the cold path works out where the interpreter would have stopped.
  const uint32_t length = blocks_.length[slot];
  if (length <= 0xfff) {
    enc_.emit_addsub_immediate(AddSubOp::Sub, true, Size::X64, kBudgetReg, kBudgetReg, length);
  } else {
    enc_.emit_mov_constant(Size::X64, kScratch1, length);
    enc_.emit_addsub_shifted_register(AddSubOp::Sub, true, Size::X64, kBudgetReg, kBudgetReg,
                                      kScratch1);
  }
  const Label cold = code_.new_label();
  cold_paths_.push_back(
      ColdPath{cold, slow_path::FaultKind::Budget, static_cast<uint32_t>(slot), length});
  enc_.emit_b_cond(Cond::LO, cold);
}

void A64Translator::translate(size_t slot) {
  const Insn& insn = program_.insns[slot];
  switch (insn.cls()) {
    case kClassAlu:
    case kClassAlu64:
      translate_alu(slot, insn);
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
        emit_exit();
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

uint32_t A64Translator::blinding_key(size_t slot) const {
  const auto key = static_cast<uint32_t>(mix(blinding_seed_ ^ mix(slot)));
  return key != 0 ? key : 0x5bd1e995u;
}

void A64Translator::materialize(Size size, Reg rd, uint64_t value, size_t slot) {
  if (!options_.harden) {
    enc_.emit_mov_constant(size, rd, value);
    return;
  }
  // Both halves of the key come from this instruction; the value is rebuilt at run time.
  const uint64_t key = (uint64_t{blinding_key(slot + 1)} << 32) | blinding_key(slot);
  enc_.emit_mov_constant(size, rd, value ^ key);
  enc_.emit_mov_constant(size, kScratch3, key);
  enc_.emit_logical_shifted_register(LogicalOp::Eor, false, size, rd, rd, kScratch3);
}

void A64Translator::add_offset(Reg rd, Reg rn, int64_t offset) {
  if (offset >= 0 && offset <= 0xfff) {
    enc_.emit_addsub_immediate(AddSubOp::Add, false, Size::X64, rd, rn,
                               static_cast<uint32_t>(offset));
  } else if (offset < 0 && offset >= -0xfff) {
    enc_.emit_addsub_immediate(AddSubOp::Sub, false, Size::X64, rd, rn,
                               static_cast<uint32_t>(-offset));
  } else {
    enc_.emit_mov_constant(Size::X64, kScratch1, static_cast<uint64_t>(offset));
    enc_.emit_addsub_shifted_register(AddSubOp::Add, false, Size::X64, rd, rn, kScratch1);
  }
}

void A64Translator::emit_fault(slow_path::FaultKind kind, size_t slot, uint32_t extra) {
  enc_.emit_mov_constant(Size::W32, Reg::x1, static_cast<uint32_t>(kind));
  enc_.emit_mov_constant(Size::W32, Reg::x2, static_cast<uint32_t>(slot));
  enc_.emit_mov_constant(Size::W32, Reg::x3, extra);
  enc_.emit_bl(stub(fault_stub_));
}

Label A64Translator::stub(Label& label) {
  if (!label.valid()) label = code_.new_label();
  return label;
}

}  // namespace nicsim::jit::a64
