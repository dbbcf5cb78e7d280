#pragma once
// Internal to the kernel oracle: what the kernel holds for one loaded program, and the two
// ways of getting it there (libbpf, or nicsim's own relocation), which share the load step.

#include <functional>
#include <string>
#include <vector>

#include "testbench/kernel_oracle/kernel_program.h"

struct bpf_object;

namespace nicsim::kernel_oracle {

struct KernelProgram::Resources {
  bpf_object* object = nullptr;       // libbpf path: owns the program and map fds
  std::vector<uint8_t> object_bytes;  // what libbpf opened (kept for the object's lifetime)
  int program_fd = -1;                // owned unless `object` is set
  std::vector<int> map_fds;           // by object map index; owned unless `object` is set

  Resources() = default;
  Resources(const Resources&) = delete;
  Resources& operator=(const Resources&) = delete;
  ~Resources();
};

namespace detail {

struct LoadRequest {
  const ebpf::ElfObject& object;
  const ebpf::Program& program;
  ebpf::ProgramType type;
  const KernelLoadOptions& options;
};

// One BPF_PROG_LOAD with the given kernel log level and buffer: the program fd, or -errno.
using LoadAttempt = std::function<int(uint32_t kernel_log_level, char* log, size_t log_size)>;

struct AttemptOutcome {
  int fd = -1;
  int error_number = 0;
  std::string log;
  bool log_truncated = false;
  double load_seconds = 0;
  double load_cpu_seconds = 0;
};

// This thread's CPU time (user and system), in seconds.
double thread_cpu_seconds();

// Runs `attempt`, growing the log buffer while the kernel answers ENOSPC; past
// options.max_log_bytes it keeps the truncated log and asks for the verdict with statistics
// only.
AttemptOutcome load_with_growing_log(const KernelLoadOptions& options, const LoadAttempt& attempt);

// Fills verdict, log, statistics and (for a loaded program) bpf_prog_info into `result`.
void record_outcome(const AttemptOutcome& outcome, KernelLoadResult& result);

// The libbpf path. False (with `why_not`) when libbpf cannot open the object or does not see
// the program as one; `result` and `resources` are then untouched.
bool load_with_libbpf(const LoadRequest& request, KernelLoadResult& result,
                      KernelProgram::Resources& resources, std::string& why_not);

// The Direct path: maps from MapDefinitions, nicsim's instructions, bpf_prog_load.
void load_direct(const LoadRequest& request, KernelLoadResult& result,
                 KernelProgram::Resources& resources);

// "xdp_prog" -> a name the kernel accepts for objects (15 characters of [A-Za-z0-9_.]).
std::string kernel_object_name(std::string_view name);

}  // namespace detail
}  // namespace nicsim::kernel_oracle
