#pragma once
// The running Linux kernel as an oracle: loads one program of an object nicsim's ELF loader
// has read into the kernel, with its maps created as the object declares them, and reports
// what the kernel's verifier said (verdict, log, instructions processed, verification time)
// and what its JIT produced (xlated and jited sizes). An XDP program that loaded can be run
// on a packet with BPF_PROG_TEST_RUN.
//
//   const auto kernel = nicsim::kernel_oracle::KernelProgram::load(object, program);
//   if (kernel.result().verdict == KernelVerdict::Rejected)
//     std::cerr << kernel.result().first_error << "\n";
//   const KernelTestRun run = kernel.test_run_xdp(packet, 1000);
//
// Everything the kernel holds (program and map file descriptors, libbpf's object) is
// released by the destructor; nothing is pinned.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ebpf/program/program.h"

namespace nicsim::kernel_oracle {

enum class KernelVerdict {
  Accepted,   // the kernel's verifier accepted the program (it is loaded)
  Rejected,   // BPF_PROG_LOAD failed: the verifier (or the kernel's checks before it) refused
  NotLoaded,  // the program never reached BPF_PROG_LOAD: maps, libbpf or permission failed
};

// How the object reaches the kernel.
enum class KernelLoader {
  Auto,    // libbpf when libbpf 1.1 opens the object and finds the program, else Direct
  Libbpf,  // bpf_object__open_mem / bpf_object__load, only the chosen program autoloaded
  Direct,  // maps from nicsim's MapDefinitions (bpf_map_create), nicsim's relocated
           // instructions with map fds patched in, bpf_prog_load
};

struct KernelLoadOptions {
  // Load as this type instead of the one the section implies (required when it implies none).
  std::optional<ebpf::ProgramType> program_type;
  // The kernel's log levels: 0 the error and statistics only, 1 also the failing path,
  // 2 every state. BPF_LOG_STATS is always added (it gives the verification time).
  uint32_t log_level = 0;
  KernelLoader loader = KernelLoader::Auto;
  // Direct path: the license of an object without a license section. The loaders of such
  // objects pass their own (Falco's passes "GPL"); without one the kernel refuses every
  // GPL-only helper. Empty passes none.
  std::string license_if_missing = "GPL";
  // The log buffer grows (x4) from this size while the kernel says it is too small...
  size_t initial_log_bytes = 256 * 1024;
  // ...up to this size; beyond it the log keeps its tail and `log_truncated` is set.
  size_t max_log_bytes = 64 * 1024 * 1024;
};

struct KernelLoadResult {
  KernelVerdict verdict = KernelVerdict::NotLoaded;
  KernelLoader loader = KernelLoader::Direct;  // the path actually used
  ebpf::ProgramType program_type = ebpf::ProgramType::Unspec;
  int error_number = 0;            // errno of the failed step (EACCES, EINVAL, EPERM...)
  std::string setup_error;         // NotLoaded: which step failed and why, one line
  std::vector<std::string> notes;  // e.g. why libbpf was not used
  std::string log;                 // the verifier's log
  bool log_truncated = false;
  std::string first_error;  // Rejected: the kernel's first complaint (one log line)
  // Instructions the verifier processed: bpf_prog_info.verified_insns when accepted, the
  // log's "processed N insns" otherwise (0 when the log has none).
  uint64_t verified_insns = 0;
  // The kernel's own measurement ("verification time N usec" of BPF_LOG_STATS).
  std::optional<double> kernel_verification_seconds;
  // Wall clock around the load call (Direct: bpf_prog_load; Libbpf: bpf_object__load, which
  // also creates the maps and probes kernel features).
  double load_seconds = 0;
  // This thread's CPU time (user and system) around the same call: unlike the two clocks
  // above it does not grow while the machine is busy with other work, but it holds all the
  // load does (the JIT; on the libbpf path also map creation and feature probes).
  double load_cpu_seconds = 0;
  uint32_t xlated_bytes = 0;  // bpf_prog_info.xlated_prog_len
  uint32_t jited_bytes = 0;   // bpf_prog_info.jited_prog_len (0 without a JIT)
};

// One BPF_PROG_TEST_RUN of an XDP program.
struct KernelTestRun {
  uint32_t return_value = 0;    // the XDP action (r0)
  std::vector<uint8_t> packet;  // the packet after the program (the last repetition)
  uint32_t repeat = 1;
  // The kernel's average per repetition (the test-run duration: its own timer around the
  // program, including that timer's and the bh-disable overhead).
  double average_ns = 0;
};

class KernelProgram {
 public:
  // Loads `program` (one of object.programs) into the kernel. Never throws for what the
  // kernel or libbpf refuses (that is the verdict); throws nicsim::Error only when the
  // request itself is wrong (no program type can be determined).
  static KernelProgram load(const ebpf::ElfObject& object, const ebpf::Program& program,
                            const KernelLoadOptions& options = {});

  KernelProgram(KernelProgram&&) noexcept;
  KernelProgram& operator=(KernelProgram&&) noexcept;
  ~KernelProgram();

  const KernelLoadResult& result() const { return result_; }
  bool loaded() const { return result_.verdict == KernelVerdict::Accepted; }
  // The program's file descriptor (-1 unless loaded).
  int fd() const;
  // The kernel map created for the object's map `index`, or -1 (not created: unused by the
  // program on the Direct path, or the load failed).
  int map_fd(size_t index) const;

  // Runs the loaded XDP program `repeat` times on `packet` (at least 14 bytes). Throws
  // nicsim::Error when the program is not loaded or the kernel refuses the test run. The
  // kernel reuses one frame for every repetition: a program that rewrites the packet sees
  // its own output from the second repetition on.
  KernelTestRun test_run_xdp(std::span<const uint8_t> packet, uint32_t repeat = 1) const;
  // The machine code the kernel's JIT made of the program (result().jited_bytes long; empty
  // when the program is not loaded or the kernel does not show it). Its calls and map
  // addresses are the kernel's: for reading (objdump), not for running.
  std::vector<uint8_t> jited_code() const;

  struct Resources;  // what the kernel holds for this program

 private:
  KernelProgram(KernelLoadResult result, std::unique_ptr<Resources> resources);

  KernelLoadResult result_;
  std::unique_ptr<Resources> resources_;
};

std::string_view verdict_name(KernelVerdict verdict);  // "accepted", "rejected", "not loaded"
std::string_view loader_name(KernelLoader loader);     // "auto", "libbpf", "direct"

}  // namespace nicsim::kernel_oracle
