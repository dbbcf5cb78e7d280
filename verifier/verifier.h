#pragma once
// The host verifier's API: is this program safe to run, and if so, what did the analysis
// prove (facts for the JITs)? A refusal names the instruction, the rule in the kernel's
// words, and the source line from BTF line info.
//
//   const auto result = nicsim::verifier::verify(object, program);
//   if (!result.accepted) std::cerr << result.error->to_string() << "\n";
//
//   // JITs take only verified programs:
//   nicsim::verifier::VerifiedProgram verified = nicsim::verifier::verify_program(object, program);

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ebpf/program/program.h"
#include "ebpf/util/error.h"
#include "verifier/facts.h"
#include "verifier/verifier_options.h"

namespace nicsim::verifier {

struct VerificationError {
  int32_t insn = -1;    // -1 when no single instruction is at fault
  std::string message;  // one line, the kernel's wording where the kernel has one
  std::optional<ebpf::SourceLocation> source;
  // "insn 12: R1 invalid mem access 'scalar' (prog.c:34: `return *p;`)"
  std::string to_string() const;
};

struct VerificationStats {
  uint64_t instructions_processed = 0;  // what the kernel reports as "processed N insns"
  uint64_t states_stored = 0;
  uint64_t peak_states = 0;
  uint64_t states_pruned = 0;
  uint32_t stack_depth = 0;  // combined over the deepest call chain, bytes
  double seconds = 0;
};

struct VerificationResult {
  bool accepted = false;
  ebpf::ProgramType program_type = ebpf::ProgramType::Unspec;  // the type verified as
  std::optional<VerificationError> error;                      // set when refused
  std::vector<std::string> log;  // per-instruction state log, if requested
  // Things worth knowing that do not make the program unsafe ("unreachable insn 6", the
  // program type assumed for a section that names none).
  std::vector<std::string> warnings;
  VerificationStats stats;
  ProgramFacts facts;  // meaningful when accepted
  // A path reached an exit (for fragments: its end). False with `accepted` means every
  // path was found infeasible.
  bool exit_reachable = false;
};

// Verifies `program` (one of object.programs) with the object's maps.
VerificationResult verify(const ebpf::ElfObject& object, const ebpf::Program& program,
                          const VerifierOptions& options = {});

// Thrown by verify_program for a refused program (the message is the error's to_string()).
class VerificationFailed : public Error {
 public:
  VerificationFailed(const std::string& message, VerificationError error)
      : Error(message), error_(std::move(error)) {}
  const VerificationError& error() const { return error_; }

 private:
  VerificationError error_;
};

// A program the verifier accepted, with what it proved. The JITs consume only these; the
// verifier is the only way to make one.
class VerifiedProgram {
 public:
  const ebpf::Program& program() const { return program_; }
  const std::vector<ebpf::MapDefinition>& maps() const { return maps_; }
  ebpf::ProgramType program_type() const { return type_; }
  const ProgramFacts& facts() const { return facts_; }
  const VerificationStats& stats() const { return stats_; }

 private:
  friend VerifiedProgram verify_program(const ebpf::ElfObject&, const ebpf::Program&,
                                        const VerifierOptions&);
  VerifiedProgram() = default;

  ebpf::Program program_;
  std::vector<ebpf::MapDefinition> maps_;
  ebpf::ProgramType type_ = ebpf::ProgramType::Unspec;
  ProgramFacts facts_;
  VerificationStats stats_;
};

// Verifies and packages the program; throws VerificationFailed when it is refused.
VerifiedProgram verify_program(const ebpf::ElfObject& object, const ebpf::Program& program,
                               const VerifierOptions& options = {});

}  // namespace nicsim::verifier
