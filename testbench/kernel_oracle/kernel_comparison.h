#pragma once
// `nicsim verify --compare-kernel`: nicsim's verdict on a program next to the running
// kernel's, with the kernel's first complaint.
//
//   const KernelComparison c = compare_verdict(object, program);
//   if (!c.agree()) std::cout << c.nicsim_error << " / kernel: " << c.kernel_first_error;

#include <string>

#include "ebpf/program/program.h"
#include "testbench/kernel_oracle/kernel_program.h"
#include "verifier/verifier_options.h"

namespace nicsim::kernel_oracle {

struct KernelComparison {
  std::string program;  // display name
  // The type both verified it as: the section's, else the one nicsim chose (a section that
  // names no type is tried as several types by nicsim; the kernel gets nicsim's choice).
  ebpf::ProgramType program_type = ebpf::ProgramType::Unspec;

  bool nicsim_accepted = false;
  std::string nicsim_error;  // VerificationError::to_string() when refused
  uint64_t nicsim_instructions_processed = 0;
  double nicsim_seconds = 0;

  KernelVerdict kernel_verdict = KernelVerdict::NotLoaded;
  // Rejected: the kernel's first complaint; NotLoaded: why it never reached the verifier.
  std::string kernel_first_error;
  // The kernel's load of the program (for a .text function verified where it is called:
  // of the first caller the kernel refused, else of the last caller).
  KernelLoadResult kernel;

  // Both gave a verdict and it is the same (NotLoaded never agrees nor disagrees).
  bool agree() const;
  bool comparable() const { return kernel_verdict != KernelVerdict::NotLoaded; }
  // Two lines for the CLI:
  //   "nicsim: refused: insn 4: invalid access to packet, ... (prog.c:12: `...`)"
  //   "kernel: rejected (libbpf, xdp): invalid access to packet, off=0 size=4, R2(...)"
  std::string to_string() const;
};

struct CompareOptions {
  verifier::VerifierOptions verifier;
  KernelLoadOptions kernel;  // program_type is overridden by the type nicsim verified as
};

// Verifies `program` (one of object.programs) with nicsim's verifier and loads it into the
// kernel as the same type. A .text function that programs of the object call is judged, as
// nicsim judges it, where it is called: the kernel loads each caller. Never throws for what
// either verifier refuses.
KernelComparison compare_verdict(const ebpf::ElfObject& object, const ebpf::Program& program,
                                 const CompareOptions& options = {});

}  // namespace nicsim::kernel_oracle
