// The code around a program's instructions: the prologue that saves what the program uses of
// the host's callee-saved registers, the epilogue that restores it, exits, and the leave path
// that returns from any depth.
//
// Direct entry (verified single-function programs): the prologue falls through to
// instruction 0 and exits go to the one epilogue, so a program that names no callee-saved
// register and calls nothing is its instructions and a `ret`. Otherwise the prologue is a
// trampoline that calls instruction 0 and every exit is a `ret` (a function's return, or a
// tail-called program's), and the run state holds the epilogue's stack pointer for the
// leave path.

#include "ebpf/isa/opcodes.h"
#include "jit/common/run_state.h"
#include "jit/x86_64/x86_translator.h"

namespace nicsim::jit::x86 {

namespace {

// The eBPF registers the prologue zeroes in checked code (r1, r2 are the arguments; r3 is
// zeroed after the state and the frame were taken from it).
constexpr int kZeroedAtEntry[] = {0, 3, 4, 5, 6, 7, 8, 9};

size_t push_bytes(Reg r) {
  return is_extended(r) ? 2 : 1;
}

}  // namespace

X86Translator::SavedRegisters X86Translator::saved_registers() const {
  const EntryPlan& plan = entry_plan();
  SavedRegisters saved;
  const auto save_if = [&saved](bool used, Reg r) {
    if (used) saved.regs[saved.count++] = r;
  };
  save_if(plan.uses(6), ebpf_reg(6));
  save_if(plan.uses_frame, ebpf_reg(ebpf::kFrameRegister));
  save_if(uses_run_state(), kStateReg);
  for (int reg = 7; reg <= 9; ++reg)
    save_if(plan.uses(reg), ebpf_reg(reg));
  // Entered with rsp 8 mod 16. A trampoline calls the body with rsp 0 mod 16 (an odd number
  // of pushes). A body entered directly that calls stubs keeps 8 mod 16 (an even number):
  // they run at 0 mod 16 and call C++ as the System V ABI requires. One that calls only
  // helper thunks runs at 0 mod 16 (an odd number): they jump to C++, which must be entered
  // as if called from there.
  const bool odd = saved.count % 2 == 1;
  if (!enters_directly()) {
    saved.pad = !odd;
  } else if (calls_out()) {
    saved.pad = thunks_jump() ? !odd : odd;
  }
  return saved;
}

size_t X86Translator::epilogue_bytes() const {
  const SavedRegisters saved = saved_registers();
  size_t bytes = 1 + (saved.pad ? 1 : 0);  // ret, pop rcx
  for (size_t i = 0; i < saved.count; ++i)
    bytes += push_bytes(saved.regs[i]);
  return bytes;
}

// uint64_t entry(uint64_t r1, uint64_t r2, NativeRunState* state): r1 and r2 arrive where
// eBPF keeps them (rdi, rsi), the state in rdx (r3, free until the program writes it).
void X86Translator::emit_prologue() {
  const EntryPlan& plan = entry_plan();
  const SavedRegisters saved = saved_registers();
  static_assert(ebpf_reg(1) == Reg::rdi && ebpf_reg(2) == Reg::rsi && ebpf_reg(3) == Reg::rdx);
  for (size_t i = 0; i < saved.count; ++i)
    enc_.push(saved.regs[i]);
  if (saved.pad) enc_.push(Reg::rax);  // any value: it only aligns the stack
  if (uses_run_state()) {
    enc_.mov_reg_reg(Width::W64, kStateReg, Reg::rdx);
    // A trampoline's leave path needs the stack pointer of its epilogue, from any depth; a
    // directly entered body is left from a stub called at its own level (emit_leave_path).
    if (!enters_directly())
      enc_.store(Width::W64, Mem{kStateReg, run_state::kEntryStackPointer}, Reg::rsp);
  }
  if (plan.uses_frame)
    enc_.load(Width::W64, ebpf_reg(ebpf::kFrameRegister), Mem{Reg::rdx, run_state::kStackTop});
  // Checked code may read a register before writing it and must see zero, as in the
  // interpreter; the verifier proved that verified code never does, but a program it tail-calls
  // is compiled checked and inherits the registers.
  if (!verified() || plan.may_tail_call) {
    for (int reg : kZeroedAtEntry) {
      if (plan.uses(reg)) enc_.alu_reg_reg(AluOp::Xor, Width::W32, ebpf_reg(reg), ebpf_reg(reg));
    }
  }
  if (enters_directly()) return;
  enc_.call(insn_label(0));
  code().bind(epilogue());
  emit_epilogue();
}

void X86Translator::emit_epilogue() {
  const SavedRegisters saved = saved_registers();
  if (saved.pad) enc_.pop(Reg::rcx);  // r4 is dead once the program has returned
  for (size_t i = saved.count; i-- > 0;)
    enc_.pop(saved.regs[i]);
  enc_.ret();
}

void X86Translator::emit_exit() {
  if (!enters_directly()) {
    enc_.ret();
  } else if (epilogue_bytes() <= kShortJumpBytes) {
    emit_epilogue();
  } else {
    enc_.jmp(epilogue());
  }
}

// Leaving early with r0 = 0 (the run state says why). Stubs jump here from their own level,
// one return address above the function that called them: in a directly entered body that
// is the top-level function, so dropping the return address reaches the epilogue's stack
// pointer. A trampoline's functions may be nested, and may belong to a program tail-called
// from another one, whose prologue saved other registers than this program's epilogue
// restores: they return to the entry program's epilogue instead, through the return address
// its trampoline pushed just below the stack pointer the state holds.
void X86Translator::emit_leave_path() {
  if (enters_directly()) {
    enc_.pop(kScratch0);
    enc_.alu_reg_reg(AluOp::Xor, Width::W32, Reg::rax, Reg::rax);
    enc_.jmp(epilogue());
    return;
  }
  enc_.load(Width::W64, Reg::rsp, Mem{kStateReg, run_state::kEntryStackPointer});
  enc_.alu_reg_imm(AluOp::Sub, Width::W64, Reg::rsp, 8);
  enc_.alu_reg_reg(AluOp::Xor, Width::W32, Reg::rax, Reg::rax);
  enc_.ret();
}

}  // namespace nicsim::jit::x86
