#pragma once
// Runs generated AArch64 code on a non-AArch64 host, in-process, with Unicorn (UC_ARCH_ARM64).
//
// Memory is shared, not copied: host pages are mapped into the emulator at their host
// addresses (uc_mem_map_ptr), so that pointers (the run state, the eBPF stack, the packet, map
// values, code addresses) mean the same inside and outside and need no translation. Pages are
// mapped on first touch, by the unmapped-access hook, and only when the access lies in memory
// the program may use (the run state, the stack frames, the packet or raw memory, the context
// shadow, what the Runtime calls accessible, compiled code for instruction fetches); anything
// else ends the run as aborted with a diagnostic, as does any other emulated fault.
//
// The slow paths are reached through a trap page: each HostCall has an address holding a RET;
// a code hook on that page calls the C++ function with the emulated x0..x5 and writes x0
// before the RET returns to the generated code. The dynamic AArch64 instruction count comes
// from a block hook (each translated block adds its length when it starts).

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>

#include "jit/arm64/a64_host_calls.h"
#include "jit/common/compiled_program.h"
#include "jit/common/run_state.h"

struct uc_struct;

namespace nicsim::jit::a64 {

class A64Emulator {
 public:
  A64Emulator();
  ~A64Emulator();
  A64Emulator(const A64Emulator&) = delete;
  A64Emulator& operator=(const A64Emulator&) = delete;

  // The addresses generated code calls the slow paths at, under this emulator.
  const HostCallTable& host_calls() const { return host_calls_; }

  // Runs the code at `entry` as entry(&state, r1, r2) and returns x0. An emulated fault ends
  // the run with state.status = Aborted and a diagnostic naming the eBPF instruction.
  uint64_t run(uint64_t entry, NativeRunState& state, uint64_t r1, uint64_t r2);

  // AArch64 instructions the last run executed (trampoline, stubs and trap returns included).
  uint64_t last_run_instructions() const { return last_run_instructions_; }

 private:
  static void on_block(uc_struct* uc, uint64_t address, uint32_t size, void* self);
  static void on_trap(uc_struct* uc, uint64_t address, uint32_t size, void* self);
  static bool on_invalid_access(uc_struct* uc, int type, uint64_t address, int size, int64_t value,
                                void* self);

  void call_host(uint64_t address);
  bool map_for_access(int type, uint64_t address, uint64_t size);
  bool may_access(uint64_t address, uint64_t size, bool write) const;
  bool map_pages(uint64_t begin, uint64_t end, uint32_t permissions);
  void abort_run(NativeRunState& state, uint64_t pc, const std::string& message);
  // The instruction of the current block whose memory access is the one that faulted, or -1.
  int64_t faulting_instruction(const CompiledProgram& program) const;

  uc_struct* uc_ = nullptr;
  uint64_t page_size_;
  uint8_t* native_stack_ = nullptr;
  size_t native_stack_size_;
  uint32_t* trap_page_ = nullptr;
  uint64_t return_address_ = 0;
  HostCallTable host_calls_;
  std::unordered_set<uint64_t> mapped_pages_;

  // During a run.
  NativeRunState* state_ = nullptr;
  std::string fault_;
  struct FaultAccess {
    uint64_t address;
    uint64_t size;
    bool write;
  };
  std::optional<FaultAccess> fault_access_;
  uint64_t block_address_ = 0;  // the translated block running now
  uint32_t block_size_ = 0;
  uint64_t instructions_ = 0;
  uint64_t last_run_instructions_ = 0;
};

}  // namespace nicsim::jit::a64
