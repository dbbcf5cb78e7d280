#include "jit/common/jit_engine.h"

#include <fmt/format.h>

#include <cstring>
#include <exception>

#include "jit/common/access_checker.h"
#include "jit/common/entry_plan.h"
#include "jit/common/invocation.h"
#include "jit/common/jit_error.h"

namespace nicsim::jit {

using ebpf::kStackSize;

namespace {

int object_index_of(const ebpf::Program& program, const ebpf::Runtime& runtime) {
  const auto& programs = runtime.object().programs;
  for (size_t i = 0; i < programs.size(); ++i) {
    if (&programs[i] == &program) return static_cast<int>(i);
  }
  return -1;
}

// Whether a run could read what an earlier run left on the stack, so that the stack must be
// cleared between runs to match the interpreter (which starts every run on zeros). Checked
// code may read any stack byte; verified code only reads bytes the same run wrote, when the
// verifier refused reads of uninitialised stack (every helper that writes stack memory
// writes all of it: probe_read zeroes it on failure) — unless a tail call or callx may enter
// a program compiled checked on the same frame. The kernel never clears the stack between
// runs: its verifier makes the same guarantee.
bool run_may_see_earlier_stack(const ebpf::Program& program, const JitOptions& options,
                               const ProgramFacts* facts) {
  if (options.mode != SafetyMode::Verified || facts == nullptr) return true;
  return !facts->reads_only_written_stack || plan_entry(program, facts).may_tail_call;
}

}  // namespace

JitEngine::JitEngine(std::unique_ptr<JitBackend> backend, const ebpf::Program& program,
                     ebpf::Runtime& runtime, JitOptions options, const ProgramFacts* facts)
    : backend_(std::move(backend)),
      runtime_(runtime),
      options_(options),
      compiled_(runtime.object().programs.size()),
      clears_stack_(run_may_see_earlier_stack(program, options, facts)),
      invocation_(*this, runtime) {
  if (backend_ == nullptr) throw JitError("jit: no backend");
  name_ = fmt::format("jit-{}", backend_->target());
  auto compiled = backend_->compile(program, runtime, options_, facts);
  compiled->object_index = object_index_of(program, runtime);
  entry_ = compiled.get();
  if (compiled->object_index >= 0) {
    compiled_[static_cast<size_t>(compiled->object_index)] = std::move(compiled);
  } else {
    standalone_entry_ = std::move(compiled);
  }
  direct_entry_ = backend_->direct_entry(*entry_);
  static_assert(kStackGuardSize == AccessChecker::kStackGuard);
  const auto begin = reinterpret_cast<uint64_t>(stack_.data()) + kStackGuardSize;
  state_.stack_top = begin + kStackAreaSize;
  state_.invocation = &invocation_;
  invocation_.checker().set_stack_area(begin, state_.stack_top);
  reset_run_state();
}

JitEngine::~JitEngine() = default;

const CompiledProgram* JitEngine::locate(uint64_t address) const {
  if (entry_->contains(address)) return entry_;
  for (const auto& compiled : compiled_) {
    if (compiled != nullptr && compiled->contains(address)) return compiled.get();
  }
  return nullptr;
}

const CompiledProgram* JitEngine::tail_call_target(uint32_t object_index, std::string& fault) {
  auto& slot = compiled_.at(object_index);
  if (slot == nullptr) {
    const ebpf::Program& program = runtime_.object().programs[object_index];
    // The verifier's facts describe the entry program only: other programs run checked.
    JitOptions options = options_;
    options.mode = SafetyMode::Checked;
    try {
      slot = backend_->compile(program, runtime_, options, nullptr);
      slot->object_index = static_cast<int>(object_index);
    } catch (const std::exception& e) {
      fault = fmt::format("tail call to '{}', which nicsim cannot run: {}", program.display_name(),
                          e.what());
      return nullptr;
    }
  }
  return slot.get();
}

uint64_t JitEngine::begin_xdp_run(ebpf::XdpFrame& frame) {
  runtime_.begin_invocation(&frame);
  ebpf::XdpContextShadow* context = frame.context();
  const auto context_address = reinterpret_cast<uint64_t>(context);
  // What the checker and the regions know of a frame is its context's address: a frame run
  // again (or one at the same address) keeps them.
  if (context != bound_context_) {
    bound_context_ = context;
    invocation_.checker().set_context(context);
    invocation_.set_base_region(ebpf::MemoryRegion{
        context_address, context_address + ebpf::kXdpMdSize, false, ebpf::RegionKind::Context});
  }
  // The packet may have moved since the last run (adjust_head/tail, or the caller).
  state_.data = packet_range(*context);
  return context_address;
}

ebpf::ExecutionResult JitEngine::run_xdp(ebpf::XdpFrame& frame) {
  return run(begin_xdp_run(frame), 0);
}

ebpf::ExecutionResult JitEngine::run_xdp_repeated(ebpf::XdpFrame& frame, uint32_t repeat) {
  const uint64_t r1 = begin_xdp_run(frame);
  prepare_run();
  uint64_t r0 = invoke(r1, 0);
  // The context stays bound (a frame's context does not move, only its packet); everything
  // else run_xdp does per run is done here too, but no result is built until the last run.
  const ebpf::XdpContextShadow& context = *frame.context();
  for (uint32_t run = 1; run < repeat && state_.status != RunStatus::Aborted; ++run) {
    runtime_.begin_invocation(&frame);
    state_.data = packet_range(context);
    prepare_run();
    r0 = invoke(r1, 0);
  }
  return result_of(r0);
}

ebpf::ExecutionResult JitEngine::run_raw(std::span<uint8_t> memory) {
  if (entry_->needs_xdp_context) {
    ebpf::ExecutionResult refused;
    refused.aborted = true;
    refused.diagnostic = fmt::format(
        "'{}' was compiled with the verifier's facts about its XDP context: run it with an XDP "
        "frame, not raw memory",
        entry_->program->display_name());
    return refused;
  }
  runtime_.begin_invocation(nullptr);
  const uint64_t begin = memory.empty() ? 0 : reinterpret_cast<uint64_t>(memory.data());
  bound_context_ = nullptr;
  invocation_.checker().set_context(nullptr);
  state_.data = FastRange{begin, memory.size()};
  invocation_.set_base_region(
      memory.empty()
          ? ebpf::MemoryRegion{0, 0, false, ebpf::RegionKind::Stack}
          : ebpf::MemoryRegion{begin, begin + memory.size(), true, ebpf::RegionKind::RawMemory});
  return run(begin, memory.size());
}

void JitEngine::reset_run_state() {
  state_.live_stack = FastRange{state_.stack_top - kStackSize, kStackSize};
  state_.helper = state_.site = state_.value = 0;
  state_.call_depth = 0;
  state_.status = RunStatus::Running;
  invocation_.reset();
}

// `inline`: in the repeated run's loop, a call costs about as much as the body (0.5 ns a run).
inline void JitEngine::prepare_run() {
  if (clears_stack_) {
    // Clear the frames the previous run used (checked code tracks the deepest one).
    const size_t used = (size_t{state_.max_depth} + 1) * kStackSize;
    std::memset(reinterpret_cast<uint8_t*>(state_.stack_top - used), 0, used);
  }

  // A run that returned normally left the call depth, the live stack and the status as they
  // started, and no fault; the helper, site and value fields are written before they are read.
  if (state_.status != RunStatus::Running) reset_run_state();
  state_.budget_left = options_.instruction_budget;
  state_.max_depth = state_.tail_calls = 0;
  invocation_.register_regions(state_);
}

ebpf::ExecutionResult JitEngine::run(uint64_t r1, uint64_t r2) {
  prepare_run();
  return result_of(invoke(r1, r2));
}

ebpf::ExecutionResult JitEngine::result_of(uint64_t r0) const {
  ebpf::ExecutionResult result;
  result.instructions = options_.instruction_budget - state_.budget_left;
  result.tail_calls = state_.tail_calls;
  switch (state_.status) {
    case RunStatus::Running:
      result.return_value = r0;
      break;
    case RunStatus::Finished:
      result.return_value = 0;
      break;
    case RunStatus::Aborted:
      result.aborted = true;
      result.diagnostic = invocation_.diagnostic(*entry_);
      break;
  }
  return result;
}

}  // namespace nicsim::jit
