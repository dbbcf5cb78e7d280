// The entry trampoline and the code shared by all instructions of a program: memory check
// stubs, helper / tail-call / callx / legacy-load dispatch into the C++ slow paths, the fault
// stub and the cold paths of checked code. Stubs are entered by BL from eBPF code, so x30
// holds the call site (the native return address the slow paths map back to an instruction),
// and preserve every eBPF register they do not define.

#include "ebpf/isa/opcodes.h"
#include "jit/arm64/a64_translator.h"
#include "jit/common/run_state.h"
#include "jit/common/slow_paths.h"

namespace nicsim::jit::a64 {

namespace {

// The callee-saved registers the trampoline preserves (AAPCS64: x19..x28, x29 and x30).
constexpr Reg kSavedPairs[][2] = {{Reg::x19, Reg::x20},
                                  {Reg::x21, Reg::x22},
                                  {Reg::x23, Reg::x24},
                                  {Reg::x25, Reg::x26},
                                  {Reg::x27, Reg::x28}};
constexpr int32_t kTrampolineFrame = 96;
// Stub frame: x29/x30, r1..r5 (x0..x4), r0 (x7) and x9.
constexpr int32_t kStubFrame = 80;

}  // namespace

void A64Translator::call_host(HostCall call) {
  enc_.emit_mov_constant(Size::X64, kCallReg, host_calls_[call]);
  enc_.emit_blr(kCallReg);
}

void A64Translator::emit_check_status_and_return() {
  enc_.emit_load_store_unsigned_offset(MemOp::LdrW, kScratch1, kStateReg, run_state::kStatus);
  enc_.emit_cbnz(Size::W32, kScratch1, leave());
  enc_.emit_ret();
}

// The registers a C call may clobber that eBPF code or the caller of the stub still needs:
// r1..r5, r0 (unless it is the stub's result) and x9; x30 is the call site. The budget goes to
// the run state, where the slow paths read and correct it (a run they end reloads it from
// there on its way out).
void A64Translator::save_for_host_call() {
  enc_.emit_load_store_unsigned_offset(MemOp::StrX, kBudgetReg, kStateReg, run_state::kBudgetLeft);
  enc_.emit_load_store_pair(PairOp::Stp, Index::PreIndex, Reg::x29, Reg::x30, Reg::sp, -kStubFrame);
  enc_.emit_load_store_pair(PairOp::Stp, Index::Offset, Reg::x0, Reg::x1, Reg::sp, 16);
  enc_.emit_load_store_pair(PairOp::Stp, Index::Offset, Reg::x2, Reg::x3, Reg::sp, 32);
  enc_.emit_load_store_pair(PairOp::Stp, Index::Offset, Reg::x4, Reg::x7, Reg::sp, 48);
  enc_.emit_load_store_unsigned_offset(MemOp::StrX, kScratch0, Reg::sp, 64);
}

void A64Translator::restore_after_host_call(bool restore_r0, bool restore_x9) {
  if (restore_x9) enc_.emit_load_store_unsigned_offset(MemOp::LdrX, kScratch0, Reg::sp, 64);
  if (restore_r0) {
    enc_.emit_load_store_pair(PairOp::Ldp, Index::Offset, Reg::x4, Reg::x7, Reg::sp, 48);
  } else {
    enc_.emit_load_store_unsigned_offset(MemOp::LdrX, Reg::x4, Reg::sp, 48);
  }
  enc_.emit_load_store_pair(PairOp::Ldp, Index::Offset, Reg::x2, Reg::x3, Reg::sp, 32);
  enc_.emit_load_store_pair(PairOp::Ldp, Index::Offset, Reg::x0, Reg::x1, Reg::sp, 16);
  enc_.emit_load_store_pair(PairOp::Ldp, Index::PostIndex, Reg::x29, Reg::x30, Reg::sp, kStubFrame);
}

// uint64_t entry(NativeRunState* state, uint64_t r1, uint64_t r2)
void A64Translator::emit_prologue() {
  enc_.emit_load_store_pair(PairOp::Stp, Index::PreIndex, Reg::x29, Reg::x30, Reg::sp,
                            -kTrampolineFrame);
  enc_.emit_mov_sp(Reg::x29, Reg::sp);
  int32_t offset = 16;
  for (const auto& pair : kSavedPairs) {
    enc_.emit_load_store_pair(PairOp::Stp, Index::Offset, pair[0], pair[1], Reg::sp, offset);
    offset += 16;
  }
  enc_.emit_mov_register(Size::X64, kStateReg, Reg::x0);
  enc_.emit_load_store_unsigned_offset(MemOp::LdrX, kBudgetReg, kStateReg, run_state::kBudgetLeft);
  enc_.emit_mov_sp(kScratch0, Reg::sp);
  enc_.emit_load_store_unsigned_offset(MemOp::StrX, kScratch0, kStateReg,
                                       run_state::kEntryStackPointer);
  enc_.emit_mov_register(Size::X64, ebpf_reg(1), Reg::x1);
  enc_.emit_mov_register(Size::X64, ebpf_reg(2), Reg::x2);
  // Registers start at zero, as in the interpreter.
  for (int r : {0, 3, 4, 5, 6, 7, 8, 9})
    enc_.emit_movz(Size::X64, ebpf_reg(r), 0);
  enc_.emit_load_store_unsigned_offset(MemOp::LdrX, ebpf_reg(ebpf::kFrameRegister), kStateReg,
                                       run_state::kStackTop);
  enc_.emit_adr(kLinkReg, epilogue());
  enc_.emit_load_store_immediate_indexed(MemOp::StrX, Index::PreIndex, kLinkReg, Reg::sp, -16);
  enc_.emit_b(insn_label(0));
  code().bind(epilogue());
  enc_.emit_load_store_unsigned_offset(MemOp::StrX, kBudgetReg, kStateReg, run_state::kBudgetLeft);
  enc_.emit_mov_register(Size::X64, Reg::x0, ebpf_reg(0));
  offset = kTrampolineFrame - 16;
  for (auto it = std::rbegin(kSavedPairs); it != std::rend(kSavedPairs); ++it) {
    enc_.emit_load_store_pair(PairOp::Ldp, Index::Offset, (*it)[0], (*it)[1], Reg::sp, offset);
    offset -= 16;
  }
  enc_.emit_load_store_pair(PairOp::Ldp, Index::PostIndex, Reg::x29, Reg::x30, Reg::sp,
                            kTrampolineFrame);
  enc_.emit_ret();
}

// Leaving from any depth: back to the trampoline's frame, r0 = 0, the run state says why.
void A64Translator::emit_leave_path() {
  enc_.emit_load_store_unsigned_offset(MemOp::LdrX, kScratch0, kStateReg,
                                       run_state::kEntryStackPointer);
  enc_.emit_mov_sp(Reg::sp, kScratch0);
  enc_.emit_load_store_unsigned_offset(MemOp::LdrX, kBudgetReg, kStateReg, run_state::kBudgetLeft);
  enc_.emit_movz(Size::X64, ebpf_reg(0), 0);
  enc_.emit_b(epilogue());
}

// Falls through when [x9, x9 + size) lies in the range whose begin and size fields start at
// `range_field`, else branches to `miss`; written so that no sum can wrap around.
void A64Translator::emit_range_check(int32_t range_field, int size, Label miss) {
  enc_.emit_load_store_pair(PairOp::Ldp, Index::Offset, kScratch1, kScratch2, kStateReg,
                            range_field);
  enc_.emit_addsub_shifted_register(AddSubOp::Sub, false, Size::X64, kScratch1, kScratch0,
                                    kScratch1);  // delta
  enc_.emit_addsub_shifted_register(AddSubOp::Sub, true, Size::X64, Reg::zr, kScratch1, kScratch2);
  enc_.emit_b_cond(Cond::HS, miss);
  enc_.emit_addsub_shifted_register(AddSubOp::Sub, false, Size::X64, kScratch2, kScratch2,
                                    kScratch1);  // bytes left after delta
  enc_.emit_addsub_immediate(AddSubOp::Sub, true, Size::X64, Reg::zr, kScratch2,
                             static_cast<uint32_t>(size));
  enc_.emit_b_cond(Cond::LO, miss);
}

// A check stub's load from a fast range, zero- or sign-extended to 64 bits.
void A64Translator::emit_load_stub_hit(int size, bool sign_extend) {
  const MemOp op = size == 1   ? (sign_extend ? MemOp::LdrsbX : MemOp::Ldrb)
                   : size == 2 ? (sign_extend ? MemOp::LdrshX : MemOp::Ldrh)
                   : size == 4 ? (sign_extend ? MemOp::LdrswX : MemOp::LdrW)
                               : MemOp::LdrX;
  enc_.emit_load_store_unsigned_offset(op, kScratch0, kScratch0, 0);
}

// In: x9 = address. Out: x9 = the value, zero- or sign-extended to 64 bits.
void A64Translator::emit_load_stub_slow(int size, bool sign_extend) {
  save_for_host_call();
  enc_.emit_mov_register(Size::X64, Reg::x1, kScratch0);
  enc_.emit_mov_register(Size::X64, Reg::x0, kStateReg);
  enc_.emit_mov_constant(Size::X64, Reg::x2,
                         static_cast<uint64_t>(size) | (sign_extend ? slow_path::kSignExtend : 0));
  enc_.emit_mov_register(Size::X64, Reg::x3, kLinkReg);
  call_host(HostCall::Load);
  enc_.emit_mov_register(Size::X64, kScratch0, Reg::x0);
  restore_after_host_call(true, false);
}

// In: x9 = address. Returns (x9 kept) when the program may write [x9, x9 + size).
void A64Translator::emit_store_stub_slow(int size) {
  save_for_host_call();
  enc_.emit_mov_register(Size::X64, Reg::x1, kScratch0);
  enc_.emit_mov_register(Size::X64, Reg::x0, kStateReg);
  enc_.emit_movz(Size::X64, Reg::x2, static_cast<uint16_t>(size));
  enc_.emit_mov_register(Size::X64, Reg::x3, kLinkReg);
  call_host(HostCall::CheckWrite);
  restore_after_host_call(true, true);
}

// In: x9 = the helper. r1..r5 are its arguments and survive the call (as in the
// interpreter); r0 is its result.
void A64Translator::emit_helper_stub() {
  enc_.emit_load_store_unsigned_offset(MemOp::StrX, kScratch0, kStateReg, run_state::kHelper);
  enc_.emit_load_store_unsigned_offset(MemOp::StrX, kLinkReg, kStateReg, run_state::kSite);
  save_for_host_call();
  enc_.emit_mov_register(Size::X64, Reg::x5, kStateReg);
  call_host(HostCall::CallHelper);
  enc_.emit_mov_register(Size::X64, ebpf_reg(0), Reg::x0);
  restore_after_host_call(false, false);
  emit_check_status_and_return();
}

// In: r2 (x1) = map, r3 (x2) = index. Out: x9 = where to jump, or 0 (then state->value is
// r0).
void A64Translator::emit_tail_call_stub() {
  save_for_host_call();
  enc_.emit_mov_register(Size::X64, Reg::x0, kStateReg);
  enc_.emit_mov_register(Size::X64, Reg::x3, kLinkReg);
  call_host(HostCall::TailCall);
  enc_.emit_mov_register(Size::X64, kScratch0, Reg::x0);
  restore_after_host_call(true, false);
  emit_check_status_and_return();
}

// In: x9 = the callx target. Out: x9 = slow_path::kCallx* (details in the run state).
void A64Translator::emit_callx_stub() {
  save_for_host_call();
  enc_.emit_mov_register(Size::X64, Reg::x1, kScratch0);
  enc_.emit_mov_register(Size::X64, Reg::x0, kStateReg);
  enc_.emit_mov_register(Size::X64, Reg::x2, kLinkReg);
  call_host(HostCall::ResolveCallx);
  enc_.emit_mov_register(Size::X64, kScratch0, Reg::x0);
  restore_after_host_call(true, false);
  emit_check_status_and_return();
}

// In: x9 = packet offset, x10 = size. Out: r0 = the value.
void A64Translator::emit_legacy_stub() {
  save_for_host_call();
  enc_.emit_mov_register(Size::X64, Reg::x1, kScratch0);
  enc_.emit_mov_register(Size::X64, Reg::x2, kScratch1);
  enc_.emit_mov_register(Size::X64, Reg::x0, kStateReg);
  enc_.emit_mov_register(Size::X64, Reg::x3, kLinkReg);
  call_host(HostCall::LegacyLoad);
  enc_.emit_mov_register(Size::X64, ebpf_reg(0), Reg::x0);
  restore_after_host_call(false, false);
  emit_check_status_and_return();
}

// In: w1 = kind, w2 = instruction, w3 = extra. Never returns.
void A64Translator::emit_fault_stub() {
  enc_.emit_load_store_unsigned_offset(MemOp::StrX, kBudgetReg, kStateReg, run_state::kBudgetLeft);
  enc_.emit_mov_register(Size::X64, Reg::x4, kLinkReg);
  enc_.emit_mov_register(Size::X64, Reg::x0, kStateReg);
  enc_.emit_load_store_unsigned_offset(MemOp::LdrX, kScratch0, kStateReg,
                                       run_state::kEntryStackPointer);
  enc_.emit_mov_sp(Reg::sp, kScratch0);
  call_host(HostCall::Fault);
  enc_.emit_b(leave());
}

}  // namespace nicsim::jit::a64
