// The code shared by all instructions of a program: memory check
// stubs, helper / tail-call / callx / legacy-load dispatch into the C++ slow paths, the fault
// stub and the cold paths of checked code. Stubs are entered by `call` from an eBPF function
// (rsp 0 mod 16 on entry) and preserve every eBPF register they do not define.

#include <iterator>

#include "jit/common/run_state.h"
#include "jit/common/slow_paths.h"
#include "jit/x86_64/x86_translator.h"

namespace nicsim::jit::x86 {

namespace {

// The eBPF registers a C call may clobber: r0..r5.
constexpr Reg kCallerSavedEbpf[] = {Reg::rax, Reg::rdi, Reg::rsi, Reg::rdx, Reg::rcx, Reg::r8};

Mem state_field(int32_t offset) {
  return Mem{kStateReg, offset};
}

}  // namespace

void X86Translator::call_function(const void* function) {
  enc_.movabs_reg_imm64(Reg::rax, reinterpret_cast<uint64_t>(function));
  enc_.call_reg(Reg::rax);
}

void X86Translator::emit_check_status_and_return() {
  enc_.alu_mem_imm(AluOp::Cmp, Width::W32, state_field(run_state::kStatus), 0);
  enc_.jcc(Cond::NE, leave());
  enc_.ret();
}

// Falls through when [r11, r11 + size) lies in the range, else jumps to `miss`; written so
// that no sum can wrap around (as the interpreter's test).
void X86Translator::emit_range_check(int32_t range_field, int size, Label miss) {
  const int32_t begin_field = range_field;
  const int32_t size_field = range_field + 8;
  enc_.mov_reg_reg(Width::W64, kScratch1, kScratch0);
  enc_.alu_reg_mem(AluOp::Sub, Width::W64, kScratch1, state_field(begin_field));  // delta
  enc_.alu_reg_mem(AluOp::Cmp, Width::W64, kScratch1, state_field(size_field));
  enc_.jcc(Cond::AE, miss);
  enc_.load(Width::W64, kScratch2, state_field(size_field));
  enc_.alu_reg_reg(AluOp::Sub, Width::W64, kScratch2, kScratch1);  // bytes left after delta
  enc_.alu_reg_imm(AluOp::Cmp, Width::W64, kScratch2, size);
  enc_.jcc(Cond::B, miss);
}

// A check stub's load from a fast range: zero-extended (the caller sign-extends).
void X86Translator::emit_load_stub_hit(int size, bool) {
  enc_.load_zero_extend(width_of_bytes(size), kScratch0, Mem{kScratch0, 0});
}

// In: r11 = address. Out: r11 = the value, zero-extended.
void X86Translator::emit_load_stub_slow(int size, bool sign_extend) {
  for (Reg r : kCallerSavedEbpf)
    enc_.push(r);
  enc_.mov_reg_reg(Width::W64, Reg::rdi, kStateReg);
  enc_.mov_reg_reg(Width::W64, Reg::rsi, kScratch0);
  enc_.mov_reg_imm32(Reg::rdx,
                     static_cast<uint32_t>(size) |
                         (sign_extend ? static_cast<uint32_t>(slow_path::kSignExtend) : 0));
  enc_.load(Width::W64, Reg::rcx, Mem{Reg::rsp, 48});  // the return address: the call site
  call_function(reinterpret_cast<const void*>(&slow_path::load));
  enc_.mov_reg_reg(Width::W64, kScratch0, Reg::rax);
  for (auto it = std::rbegin(kCallerSavedEbpf); it != std::rend(kCallerSavedEbpf); ++it)
    enc_.pop(*it);
}

// In: r11 = address. Returns (r11 kept) when the program may write [r11, r11 + size).
void X86Translator::emit_store_stub_slow(int size) {
  for (Reg r : kCallerSavedEbpf)
    enc_.push(r);
  enc_.push(kScratch0);
  enc_.alu_reg_imm(AluOp::Sub, Width::W64, Reg::rsp, 8);
  enc_.mov_reg_reg(Width::W64, Reg::rdi, kStateReg);
  enc_.mov_reg_reg(Width::W64, Reg::rsi, kScratch0);
  enc_.mov_reg_imm32(Reg::rdx, static_cast<uint32_t>(size));
  enc_.load(Width::W64, Reg::rcx, Mem{Reg::rsp, 64});
  call_function(reinterpret_cast<const void*>(&slow_path::check_write));
  enc_.alu_reg_imm(AluOp::Add, Width::W64, Reg::rsp, 8);
  enc_.pop(kScratch0);
  for (auto it = std::rbegin(kCallerSavedEbpf); it != std::rend(kCallerSavedEbpf); ++it)
    enc_.pop(*it);
}

// In: r11 = the helper. r1..r5 are its arguments and survive the call (as in the
// interpreter); r0 is its result.
void X86Translator::emit_helper_stub() {
  enc_.store(Width::W64, state_field(run_state::kHelper), kScratch0);
  enc_.load(Width::W64, kScratch0, Mem{Reg::rsp, 0});
  enc_.store(Width::W64, state_field(run_state::kSite), kScratch0);
  for (Reg r : {Reg::rdi, Reg::rsi, Reg::rdx, Reg::rcx, Reg::r8})
    enc_.push(r);
  enc_.alu_reg_imm(AluOp::Sub, Width::W64, Reg::rsp, 8);
  enc_.mov_reg_reg(Width::W64, Reg::r9, kStateReg);
  enc_.movabs_reg_imm64(kScratch0, reinterpret_cast<uint64_t>(&slow_path::call_helper));
  enc_.call_reg(kScratch0);
  enc_.alu_reg_imm(AluOp::Add, Width::W64, Reg::rsp, 8);
  for (Reg r : {Reg::r8, Reg::rcx, Reg::rdx, Reg::rsi, Reg::rdi})
    enc_.pop(r);
  emit_check_status_and_return();
}

// In: r2 = map, r3 = index. Out: r11 = where to jump, or 0 (then state->value is r0).
void X86Translator::emit_tail_call_stub() {
  for (Reg r : kCallerSavedEbpf)
    enc_.push(r);
  enc_.mov_reg_reg(Width::W64, Reg::rdi, kStateReg);  // rsi, rdx already hold r2, r3
  enc_.load(Width::W64, Reg::rcx, Mem{Reg::rsp, 48});
  call_function(reinterpret_cast<const void*>(&slow_path::tail_call));
  enc_.mov_reg_reg(Width::W64, kScratch0, Reg::rax);
  for (auto it = std::rbegin(kCallerSavedEbpf); it != std::rend(kCallerSavedEbpf); ++it)
    enc_.pop(*it);
  emit_check_status_and_return();
}

// In: r11 = the callx target. Out: r11 = slow_path::kCallx* (details in the run state).
void X86Translator::emit_callx_stub() {
  for (Reg r : kCallerSavedEbpf)
    enc_.push(r);
  enc_.mov_reg_reg(Width::W64, Reg::rdi, kStateReg);
  enc_.mov_reg_reg(Width::W64, Reg::rsi, kScratch0);
  enc_.load(Width::W64, Reg::rdx, Mem{Reg::rsp, 48});
  call_function(reinterpret_cast<const void*>(&slow_path::resolve_callx));
  enc_.mov_reg_reg(Width::W64, kScratch0, Reg::rax);
  for (auto it = std::rbegin(kCallerSavedEbpf); it != std::rend(kCallerSavedEbpf); ++it)
    enc_.pop(*it);
  emit_check_status_and_return();
}

// In: r11 = packet offset, r10 = size. Out: r0 = the value.
void X86Translator::emit_legacy_stub() {
  for (Reg r : {Reg::rdi, Reg::rsi, Reg::rdx, Reg::rcx, Reg::r8})
    enc_.push(r);
  enc_.alu_reg_imm(AluOp::Sub, Width::W64, Reg::rsp, 8);
  enc_.mov_reg_reg(Width::W64, Reg::rdi, kStateReg);
  enc_.mov_reg_reg(Width::W64, Reg::rsi, kScratch0);
  enc_.mov_reg_reg(Width::W64, Reg::rdx, kScratch1);
  enc_.load(Width::W64, Reg::rcx, Mem{Reg::rsp, 48});
  call_function(reinterpret_cast<const void*>(&slow_path::legacy_load));
  enc_.alu_reg_imm(AluOp::Add, Width::W64, Reg::rsp, 8);
  for (Reg r : {Reg::r8, Reg::rcx, Reg::rdx, Reg::rsi, Reg::rdi})
    enc_.pop(r);
  emit_check_status_and_return();
}

// In: esi = kind, edx = instruction, ecx = extra. Never returns. Called from an eBPF
// function's own level (cold paths, faulting instructions), so the stack is aligned for C++.
void X86Translator::emit_fault_stub() {
  enc_.mov_reg_reg(Width::W64, Reg::rdi, kStateReg);
  enc_.load(Width::W64, Reg::r8, Mem{Reg::rsp, 0});
  call_function(reinterpret_cast<const void*>(&slow_path::fault));
  enc_.jmp(leave());
}

}  // namespace nicsim::jit::x86
