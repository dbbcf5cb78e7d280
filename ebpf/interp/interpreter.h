#pragma once
// The reference interpreter: the golden semantics every other engine is checked against.
// Pre-decodes the program once into a dispatch table (threaded code); every memory access is
// checked against the runtime's regions, so an unverified program can never make nicsim
// itself misbehave: faults end the run as aborted with a diagnostic naming the instruction.

#include <cstdint>
#include <memory>

#include "ebpf/engine/engine.h"
#include "ebpf/program/program.h"
#include "ebpf/runtime/runtime.h"

namespace nicsim::ebpf {

struct InterpreterOptions {
  uint64_t instruction_budget = 1'000'000;  // per invocation, across tail calls
};

class Interpreter : public Engine {
 public:
  // `program` must belong to runtime.object(). Throws DecodeError for invalid encodings.
  Interpreter(const Program& program, Runtime& runtime, InterpreterOptions options = {});
  ~Interpreter() override;

  std::string_view name() const override { return "interp"; }
  ExecutionResult run_xdp(XdpFrame& frame) override;
  ExecutionResult run_raw(std::span<uint8_t> memory) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nicsim::ebpf
