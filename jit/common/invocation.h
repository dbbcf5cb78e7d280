#pragma once
// The C++ side of one run of a JitEngine, reached from generated code through
// NativeRunState::invocation: memory checks, the regions helpers may access, and the fault
// that ended the run.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ebpf/runtime/runtime.h"
#include "jit/common/access_checker.h"
#include "jit/common/compiled_program.h"
#include "jit/common/run_state.h"

namespace nicsim::jit {

class JitEngine;

// The program's data in an XDP run: the packet with its metadata.
inline FastRange packet_range(const ebpf::XdpContextShadow& context) {
  return FastRange{context.data_meta, context.data_end - context.data_meta};
}

class Invocation {
 public:
  Invocation(JitEngine& engine, ebpf::Runtime& runtime) : engine_(engine), runtime_(runtime) {
    checker_.set_runtime(&runtime);
  }

  JitEngine& engine() { return engine_; }
  ebpf::Runtime& runtime() { return runtime_; }
  AccessChecker& checker() { return checker_; }

  // Regions helpers may access besides the live stack: the context or the raw memory, or
  // none (kind Stack stands for none). Set before every run; the same region again (the
  // same frame run again) keeps what was registered.
  void set_base_region(const ebpf::MemoryRegion& region);
  // Tells the Runtime which stack frames are live and the base region, unless it still holds
  // them: same depth and base region as last registered, and no other engine has begun an
  // invocation on the runtime since.
  void register_regions(const NativeRunState& state) {
    // The run's own begin_invocation counts one; any other means another engine may have
    // replaced the runtime's regions with its own.
    const uint64_t invocation = runtime_.invocation_index();
    const bool still_ours =
        invocation == registered_invocation_ || invocation == registered_invocation_ + 1;
    registered_invocation_ = invocation;
    if (!still_ours || registered_depth_ != state.call_depth) reregister_regions(state, still_ours);
  }
  // Re-reads the packet range after a helper that may have moved it.
  void refresh_data(NativeRunState& state) const {
    if (const ebpf::XdpContextShadow* context = checker_.context(); context != nullptr)
      state.data = packet_range(*context);
  }

  // Ends the run at instruction `slot` of `program` with `message` (Aborted), correcting the
  // instruction count for the rest of its block.
  void abort_at(NativeRunState& state, const CompiledProgram* program, size_t slot,
                std::string message);
  // The same, for the instruction whose generated code made the call returning to `site`.
  void abort_at_site(NativeRunState& state, uint64_t site, std::string message);
  // Ends the run early without a fault (legacy packet load out of range).
  void finish_at_site(NativeRunState& state, uint64_t site);

  // Forgets the fault of a run that ended early.
  void reset() {
    fault_program_ = nullptr;
    fault_slot_ = 0;
    fault_.clear();
    checker_.clear_fault();
  }
  // "insn 12 of 'xdp/next' (prog.c:42): <message>", as the interpreter words it.
  std::string diagnostic(const CompiledProgram& entry) const;

 private:
  // register_regions when the depth or the base region changed, or another engine ran.
  void reregister_regions(const NativeRunState& state, bool still_ours);
  // A block is charged in full on entry: give back what a run ended at `slot` did not run.
  static void refund_rest_of_block(NativeRunState& state, const CompiledProgram* program,
                                   size_t slot);

  JitEngine& engine_;
  ebpf::Runtime& runtime_;
  AccessChecker checker_;
  std::optional<ebpf::MemoryRegion> base_region_;
  uint32_t registered_depth_ = UINT32_MAX;
  // What this engine last gave Runtime::set_regions, and the invocation it did it in: when no
  // other engine has begun an invocation on the runtime since, equal regions need no update.
  std::vector<ebpf::MemoryRegion> registered_;
  uint64_t registered_invocation_ = UINT64_MAX;
  const CompiledProgram* fault_program_ = nullptr;
  size_t fault_slot_ = 0;
  std::string fault_;
};

}  // namespace nicsim::jit
