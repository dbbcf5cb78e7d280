#include "ebpf/interp/interpreter.h"

#include <fmt/format.h>

#include <cstring>
#include <vector>

#include "ebpf/interp/machine.h"
#include "ebpf/interp/program_cache.h"

namespace nicsim::ebpf {

using interp::Machine;
using interp::MemoryAccess;

struct Interpreter::Impl {
  Impl(const Program& program, Runtime& runtime, InterpreterOptions options)
      : runtime(runtime), options(options), programs(program, runtime) {
    machine.runtime = &runtime;
    machine.programs = &programs;
    const auto begin = reinterpret_cast<uint64_t>(stack.data()) + MemoryAccess::kStackGuard;
    machine.stack_top = begin + kStackAreaSize;
    machine.memory.set_runtime(&runtime);
    machine.memory.set_stack_area(begin, machine.stack_top);
  }

  ExecutionResult run(uint64_t r1, uint64_t r2);
  std::string diagnostic() const;

  Runtime& runtime;
  InterpreterOptions options;
  interp::ProgramCache programs;
  // Every call frame, frame 0 at the top, between two guard bands. Cleared between runs (the
  // frames the previous run used), so that a program reading stack it never wrote sees zeros,
  // not an earlier packet's data.
  static constexpr size_t kStackAreaSize = size_t{kMaxCallDepth} * kStackSize;
  std::vector<uint8_t> stack =
      std::vector<uint8_t>(kStackAreaSize + 2 * MemoryAccess::kStackGuard, 0);
  Machine machine;
};

ExecutionResult Interpreter::Impl::run(uint64_t r1, uint64_t r2) {
  Machine& m = machine;
  const size_t used = (size_t{m.max_depth} + 1) * kStackSize;
  std::memset(reinterpret_cast<uint8_t*>(m.stack_top - used), 0, used);

  std::memset(m.reg, 0, sizeof(m.reg));
  m.reg[1] = r1;
  m.reg[2] = r2;
  m.reg[kFrameRegister] = m.stack_top;
  m.depth = 0;
  m.max_depth = 0;
  m.tail_calls = 0;
  m.budget_left = m.budget_limit = options.instruction_budget;
  m.fault.clear();
  m.memory.clear_fault();
  m.memory.set_live_stack(m.stack_top - kStackSize);
  m.memory.invalidate_regions();

  ExecutionResult result;
  const bool finished = interp::run_loop(m, programs.entry());
  result.instructions = m.budget_limit - m.budget_left;
  result.tail_calls = m.tail_calls;
  if (finished) {
    result.return_value = m.reg[0];
  } else {
    result.aborted = true;
    result.diagnostic = diagnostic();
  }
  return result;
}

// "insn 12 of 'xdp/next' (prog.c:42): invalid read of ..." — the program is named when the
// fault happened after a tail call, the source line when the object carries line info.
std::string Interpreter::Impl::diagnostic() const {
  const Machine& m = machine;
  std::string where = fmt::format("insn {}", m.fault_index);
  if (m.fault_program != nullptr && m.fault_program != &programs.entry())
    where += fmt::format(" of '{}'", m.fault_program->name());
  if (m.fault_program != nullptr) {
    if (const SourceLocation* location = m.fault_program->program->location_of(m.fault_index);
        location != nullptr && !location->file.empty())
      where += fmt::format(" ({}:{})", location->file, location->line);
  }
  return fmt::format("{}: {}", where, m.fault);
}

Interpreter::Interpreter(const Program& program, Runtime& runtime, InterpreterOptions options)
    : impl_(std::make_unique<Impl>(program, runtime, options)) {}

Interpreter::~Interpreter() = default;

ExecutionResult Interpreter::run_xdp(XdpFrame& frame) {
  Machine& m = impl_->machine;
  impl_->runtime.begin_invocation(&frame);
  m.memory.set_context(frame.context());
  return impl_->run(reinterpret_cast<uint64_t>(frame.context()), 0);
}

ExecutionResult Interpreter::run_raw(std::span<uint8_t> memory) {
  Machine& m = impl_->machine;
  impl_->runtime.begin_invocation(nullptr);
  const uint64_t begin = memory.empty() ? 0 : reinterpret_cast<uint64_t>(memory.data());
  m.memory.set_raw_memory(begin, begin + memory.size());
  return impl_->run(begin, memory.size());
}

}  // namespace nicsim::ebpf
