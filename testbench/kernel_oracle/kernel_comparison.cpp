#include "testbench/kernel_oracle/kernel_comparison.h"

#include <fmt/format.h>

#include <vector>

#include "verifier/verifier.h"

namespace nicsim::kernel_oracle {
namespace {

// Programs of the object that call the .text function `program` (nicsim's rule, verifier.cpp).
std::vector<const ebpf::Program*> callers_of(const ebpf::ElfObject& object,
                                             const ebpf::Program& program) {
  std::vector<const ebpf::Program*> callers;
  if (program.section != ".text") return callers;
  for (const ebpf::Program& p : object.programs) {
    if (&p == &program || p.section == ".text") continue;
    for (const auto& [start, name] : p.functions) {
      if (start != 0 && name == program.function) {
        callers.push_back(&p);
        break;
      }
    }
  }
  return callers;
}

ebpf::ProgramType kernel_type(const ebpf::ElfObject& object, const ebpf::Program& program,
                              const CompareOptions& options) {
  if (options.verifier.program_type) return *options.verifier.program_type;
  if (program.type != ebpf::ProgramType::Unspec) return program.type;
  return verifier::verify(object, program, options.verifier).program_type;
}

}  // namespace

bool KernelComparison::agree() const {
  return comparable() && nicsim_accepted == (kernel_verdict == KernelVerdict::Accepted);
}

std::string KernelComparison::to_string() const {
  std::string text = "nicsim: " + std::string(nicsim_accepted ? "accepted" : "refused");
  if (!nicsim_accepted) text += ": " + nicsim_error;
  text += fmt::format("\nkernel: {}", verdict_name(kernel_verdict));
  if (kernel_verdict != KernelVerdict::NotLoaded) {
    text += fmt::format(" ({}, {})", loader_name(kernel.loader),
                        ebpf::program_type_name(kernel.program_type));
  }
  if (!kernel_first_error.empty()) text += ": " + kernel_first_error;
  return text;
}

KernelComparison compare_verdict(const ebpf::ElfObject& object, const ebpf::Program& program,
                                 const CompareOptions& options) {
  KernelComparison comparison;
  comparison.program = program.display_name();
  const verifier::VerificationResult nicsim = verifier::verify(object, program, options.verifier);
  comparison.program_type = nicsim.program_type;
  comparison.nicsim_accepted = nicsim.accepted;
  if (nicsim.error) comparison.nicsim_error = nicsim.error->to_string();
  comparison.nicsim_instructions_processed = nicsim.stats.instructions_processed;
  comparison.nicsim_seconds = nicsim.stats.seconds;

  std::vector<const ebpf::Program*> loads = callers_of(object, program);
  if (loads.empty()) {
    if (program.section == ".text" && program.function == program.section) {
      comparison.kernel_first_error =
          ".text without a function symbol that no program calls: no loader loads it";
      return comparison;
    }
    loads.push_back(&program);
  }
  for (const ebpf::Program* load : loads) {
    KernelLoadOptions kernel_options = options.kernel;
    kernel_options.program_type =
        load == &program ? nicsim.program_type : kernel_type(object, *load, options);
    if (kernel_options.program_type == ebpf::ProgramType::Unspec) {
      comparison.kernel_verdict = KernelVerdict::NotLoaded;
      comparison.kernel_first_error = "no program type to load it as";
      return comparison;
    }
    KernelProgram kernel = KernelProgram::load(object, *load, kernel_options);
    comparison.kernel = kernel.result();
    comparison.kernel_verdict = comparison.kernel.verdict;
    comparison.kernel_first_error = comparison.kernel.verdict == KernelVerdict::NotLoaded
                                        ? comparison.kernel.setup_error
                                        : comparison.kernel.first_error;
    if (load != &program) {
      comparison.kernel.notes.push_back(fmt::format("'{}' is a subprogram: loaded as part of '{}'",
                                                    program.display_name(), load->display_name()));
    }
    if (comparison.kernel_verdict != KernelVerdict::Accepted) break;
  }
  return comparison;
}

}  // namespace nicsim::kernel_oracle
