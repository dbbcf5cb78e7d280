#pragma once
// The execution engines a command can run a program on, chosen by name (--backend/--engine).

#include <memory>
#include <string>

#include "ebpf/engine/engine.h"
#include "ebpf/program/program.h"
#include "ebpf/runtime/runtime.h"

namespace nicsim::cli {

struct EngineOptions {
  uint64_t instruction_budget = 1'000'000;
  bool harden = false;  // constant blinding in the JITs
};

// Throws nicsim::Error naming the backend when it is unknown or cannot run this program.
std::unique_ptr<ebpf::Engine> make_engine(const std::string& backend, const ebpf::ElfObject& object,
                                          const ebpf::Program& program, ebpf::Runtime& runtime,
                                          const EngineOptions& options);

// The --backend help text, listing the engines built into this nicsim.
const std::string& engine_choice_help();

}  // namespace nicsim::cli
