#pragma once
// How a program is compiled. The policy (docs/jit-x86_64.md): programs the verifier has not
// accepted run Checked, with every memory access bounds-checked at run time, xdp_md loads
// translated at run time, an instruction budget and a call-depth limit, so that no program can
// crash nicsim; programs compiled with the verifier's facts run Verified, with the accesses the
// verifier proved safe emitted as plain loads and stores and xdp_md loads translated at
// compile time, as the kernel's JIT does.

#include <cstdint>

namespace nicsim::jit {

enum class SafetyMode : uint8_t { Checked, Verified };

struct JitOptions {
  SafetyMode mode = SafetyMode::Checked;
  // Checked mode: eBPF instructions per invocation, across calls and tail calls (as the
  // interpreter's InterpreterOptions::instruction_budget).
  uint64_t instruction_budget = 1'000'000;
  // Constant blinding (the kernel's bpf_jit_harden): immediates never appear in the native
  // code as written by the program, but XORed with a random key and unblinded at run time.
  bool harden = false;
  // Seed of the blinding keys; 0 draws a fresh random seed for every compilation.
  uint64_t blinding_seed = 0;
};

}  // namespace nicsim::jit
