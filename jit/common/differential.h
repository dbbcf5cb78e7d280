#pragma once
// Differential execution: the same program and the same inputs on two engines, each in its
// own world (a fresh Runtime over the same object and configuration), compared after every
// input: aborted or not, r0, the diagnostic (host addresses masked), the instruction and tail
// call counts, the memory the program was given (packet with metadata, or raw memory), the
// redirect target, trace and event output, and the contents of every map. The unit tests use
// it against the interpreter; the differential fuzzer (which needs the verifier to produce
// programs worth running) is meant to call compare_engines with generated programs.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ebpf/engine/engine.h"
#include "ebpf/program/program.h"
#include "ebpf/runtime/runtime.h"

namespace nicsim::jit {

using EngineFactory =
    std::function<std::unique_ptr<ebpf::Engine>(const ebpf::Program&, ebpf::Runtime&)>;

struct DifferentialInput {
  enum class Kind { Raw, Xdp };
  Kind kind = Kind::Raw;
  std::vector<uint8_t> bytes;  // the raw memory, or the packet
  uint32_t ingress_ifindex = 1;
  uint32_t rx_queue_index = 0;
  // XDP only: 0 runs the program once with run_xdp; n runs it with run_xdp_repeated(frame, n),
  // and the comparison is of the last run (its result, the frame, the maps, the redirect).
  uint32_t repeat = 0;
};

struct DifferentialOptions {
  ebpf::RuntimeConfig runtime;
  bool compare_instruction_counts = true;
  bool compare_diagnostics = true;
};

struct DifferentialReport {
  bool equal = true;
  std::string difference;  // the first difference found, empty when equal
  std::vector<ebpf::ExecutionResult> reference_results;
  std::vector<ebpf::ExecutionResult> candidate_results;
};

// Runs `inputs` in order on both engines (built once each) and compares after every input.
// Throws what the factories throw (a program one engine refuses is not a difference this
// function can describe).
DifferentialReport compare_engines(const ebpf::ElfObject& object, size_t program_index,
                                   std::span<const DifferentialInput> inputs,
                                   const EngineFactory& reference, const EngineFactory& candidate,
                                   const DifferentialOptions& options = {});

// "0x" followed by at least six hex digits becomes "0x…": host addresses differ between worlds.
std::string mask_addresses(const std::string& text);

}  // namespace nicsim::jit
