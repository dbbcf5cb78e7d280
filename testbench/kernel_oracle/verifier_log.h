#pragma once
// Reading the kernel verifier's log: the statistics BPF_LOG_STATS appends and the first line
// of the kernel's complaint, whatever the log level (at level 1 and 2 the complaint follows
// the trace of the path that failed).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nicsim::kernel_oracle {

struct VerifierLogSummary {
  std::optional<uint64_t> processed_insns;     // "processed N insns (limit ...)"
  std::optional<double> verification_seconds;  // "verification time N usec"
  // The first line after the last instruction or state line that is neither a trace line
  // (source, precision, liveness, notes) nor statistics; empty when the log holds none.
  std::string first_error;
};

VerifierLogSummary summarize_verifier_log(std::string_view log);

// True for the lines the verifier writes while tracing a path (not a complaint).
bool is_trace_line(std::string_view line);

}  // namespace nicsim::kernel_oracle
