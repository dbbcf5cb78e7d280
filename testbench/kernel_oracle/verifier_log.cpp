#include "testbench/kernel_oracle/verifier_log.h"

#include <charconv>
#include <vector>

namespace nicsim::kernel_oracle {
namespace {

bool starts_with_number_then(std::string_view line, char after) {
  size_t i = 0;
  while (i < line.size() && line[i] >= '0' && line[i] <= '9')
    ++i;
  return i > 0 && i < line.size() && line[i] == after;
}

std::optional<uint64_t> number_after(std::string_view line, std::string_view prefix) {
  if (!line.starts_with(prefix)) return std::nullopt;
  uint64_t value = 0;
  const char* begin = line.data() + prefix.size();
  const auto [end, error] = std::from_chars(begin, line.data() + line.size(), value);
  if (error != std::errc() || end == begin) return std::nullopt;
  return value;
}

// Lines of path traces, precision backtracking and liveness. "arg#0 reference type('UNKNOWN ')
// size cannot be determined: -22" is the kernel noting, from BTF func_info, that it cannot
// size the entry function's argument: not a refusal either.
constexpr std::string_view kTracePrefixes[] = {"; ",
                                               "func#",
                                               "Func#",
                                               "Live regs before insn",
                                               "from ",
                                               "last_idx ",
                                               "regs=",
                                               "parent ",
                                               "mark_precise:",
                                               "propagating ",
                                               "caller:",
                                               "callee:",
                                               "Validating ",
                                               "returning from callee:",
                                               "to caller at ",
                                               "live stack update",
                                               "arg#"};

bool is_statistics_line(std::string_view line) {
  return line.starts_with("verification time ") || line.starts_with("stack depth ") ||
         line == "stack depth" ||
         (line.starts_with("processed ") && line.find(" insns") != line.npos);
}

// "12: (bf) r1 = r6", "12: R1=ctx() ...", "12: safe", "(0) frame 0 insn 3 +live -8", the
// live-registers table ("      3: 0......... (95) exit"), state continuations, "frame1: R1=...".
bool is_instruction_or_state_line(std::string_view line) {
  if (starts_with_number_then(line, ':')) return true;
  if (line.starts_with("(") && starts_with_number_then(line.substr(1), ')')) return true;
  if (line.starts_with(" ")) return true;
  return line.starts_with("frame") && starts_with_number_then(line.substr(5), ':');
}

}  // namespace

bool is_trace_line(std::string_view line) {
  if (is_instruction_or_state_line(line)) return true;
  for (std::string_view prefix : kTracePrefixes) {
    if (line.starts_with(prefix)) return true;
  }
  return line == ";";
}

VerifierLogSummary summarize_verifier_log(std::string_view log) {
  VerifierLogSummary summary;
  std::vector<std::string> lines;
  while (!log.empty()) {
    const size_t end = log.find('\n');
    std::string_view line = log.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    // Some kernel messages lack their newline ("expected prog array map for tail call"), so
    // the statistics BPF_LOG_STATS appends may start mid-line.
    const size_t stats = line.find("verification time ");
    if (stats != 0 && stats != line.npos) {
      lines.emplace_back(line.substr(0, stats));
      line.remove_prefix(stats);
    }
    lines.emplace_back(line);
    if (end == log.npos) break;
    log.remove_prefix(end + 1);
  }
  // The complaint follows the last instruction or state line (levels 1 and 2); source lines
  // and notes may come before or after it.
  size_t first_candidate = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    if (auto processed = number_after(line, "processed ")) {
      if (line.find(" insns") != line.npos) summary.processed_insns = processed;
    }
    if (auto usec = number_after(line, "verification time ")) {
      summary.verification_seconds = static_cast<double>(*usec) * 1e-6;
    }
    if (is_instruction_or_state_line(line)) first_candidate = i + 1;
  }
  for (size_t i = first_candidate; i < lines.size(); ++i) {
    if (lines[i].empty() || is_statistics_line(lines[i]) || is_trace_line(lines[i])) continue;
    summary.first_error = lines[i];
    break;
  }
  return summary;
}

}  // namespace nicsim::kernel_oracle
