#pragma once
// The NIC compiler (jit/nic): a verified eBPF program -> a NIC image (firmware/image). This is
// the API the CLI (`nicsim jit --target nic`) and the test benches call.

#include <array>
#include <string>
#include <vector>

#include "ebpf/program/program.h"
#include "firmware/image/image.h"
#include "jit/nic/compile_error.h"
#include "jit/nic/facts.h"
#include "jit/nic/options.h"
#include "jit/nic/scheduler.h"

namespace nicsim::jit::nic {

struct CompileReport {
  std::string facts_source;
  size_t ebpf_instructions = 0;
  size_t ops_lowered = 0;      // native operations right after lowering
  size_t ops_final = 0;        // after the passes
  size_t program_bundles = 0;  // bundles of the program (routines excluded)
  size_t routine_bundles = 0;
  std::array<size_t, kNumPasses> changes{};  // per pass (indexed by Pass)
  ScheduleStats schedule;
};

struct CompileResult {
  firmware::Image image;
  CompileReport report;
};

// Compiles `program` whose maps are `maps` (the object's, in order). `facts` may come from the
// verifier; when null the compiler's local analysis provides them. Throws CompileError when
// the NIC cannot run the program.
CompileResult compile(const ebpf::Program& program, const std::vector<ebpf::MapDefinition>& maps,
                      const CompileOptions& options = {}, const ProgramFacts* facts = nullptr);
inline CompileResult compile(const ebpf::Program& program, const ebpf::ElfObject& object,
                             const CompileOptions& options = {},
                             const ProgramFacts* facts = nullptr) {
  return compile(program, object.maps, options, facts);
}

// Bundles with the eBPF instructions each slot came from (`nicsim jit --target nic --disasm`).
std::string disassemble_image(const firmware::Image& image);
// The report as text, one line per item.
std::string format_report(const CompileReport& report);

}  // namespace nicsim::jit::nic
