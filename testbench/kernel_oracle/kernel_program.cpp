#include "testbench/kernel_oracle/kernel_program.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fmt/format.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>

#include "ebpf/util/error.h"
#include "testbench/kernel_oracle/kernel_resources.h"
#include "testbench/kernel_oracle/verifier_log.h"

namespace nicsim::kernel_oracle {

KernelProgram::Resources::~Resources() {
  if (object != nullptr) {
    bpf_object__close(object);  // closes the program's and the maps' fds
    return;
  }
  if (program_fd >= 0) close(program_fd);
  for (int fd : map_fds) {
    if (fd >= 0) close(fd);
  }
}

KernelProgram::KernelProgram(KernelLoadResult result, std::unique_ptr<Resources> resources)
    : result_(std::move(result)), resources_(std::move(resources)) {}
KernelProgram::KernelProgram(KernelProgram&&) noexcept = default;
KernelProgram& KernelProgram::operator=(KernelProgram&&) noexcept = default;
KernelProgram::~KernelProgram() = default;

KernelProgram KernelProgram::load(const ebpf::ElfObject& object, const ebpf::Program& program,
                                  const KernelLoadOptions& options) {
  const ebpf::ProgramType type = options.program_type.value_or(program.type);
  if (type == ebpf::ProgramType::Unspec) {
    throw Error(
        fmt::format("{}: program '{}': section '{}' implies no program type; give one "
                    "to load it into the kernel",
                    object.path, program.display_name(), program.section));
  }
  const detail::LoadRequest request{object, program, type, options};
  KernelLoadResult result;
  result.program_type = type;
  auto resources = std::make_unique<Resources>();

  if (options.loader != KernelLoader::Direct) {
    std::string why_not;
    if (detail::load_with_libbpf(request, result, *resources, why_not)) {
      if (options.loader == KernelLoader::Libbpf || result.verdict != KernelVerdict::NotLoaded) {
        return KernelProgram(std::move(result), std::move(resources));
      }
      // libbpf failed before the verifier saw the program (typically a map it creates for
      // another program): the Direct path creates only the maps this program uses.
      why_not = "libbpf did not reach BPF_PROG_LOAD: " + result.setup_error;
      KernelLoadResult fresh;
      fresh.program_type = type;
      result = std::move(fresh);
      resources = std::make_unique<Resources>();
    } else if (options.loader == KernelLoader::Libbpf) {
      result.setup_error = why_not;
      result.loader = KernelLoader::Libbpf;
      return KernelProgram(std::move(result), std::move(resources));
    }
    result.notes.push_back(why_not);
  }
  detail::load_direct(request, result, *resources);
  return KernelProgram(std::move(result), std::move(resources));
}

int KernelProgram::fd() const {
  return loaded() ? resources_->program_fd : -1;
}

int KernelProgram::map_fd(size_t index) const {
  if (!resources_ || index >= resources_->map_fds.size()) return -1;
  return resources_->map_fds[index];
}

KernelTestRun KernelProgram::test_run_xdp(std::span<const uint8_t> packet, uint32_t repeat) const {
  if (!loaded()) {
    throw Error(fmt::format("BPF_PROG_TEST_RUN: the program is not loaded ({})",
                            verdict_name(result_.verdict)));
  }
  if (result_.program_type != ebpf::ProgramType::Xdp) {
    throw Error(fmt::format("BPF_PROG_TEST_RUN: the program is {}, not xdp",
                            ebpf::program_type_name(result_.program_type)));
  }
  // Room for bpf_xdp_adjust_tail to grow the packet into the frame's tailroom.
  std::vector<uint8_t> output(packet.size() + 4096);
  bpf_test_run_opts run{};
  run.sz = sizeof run;
  run.data_in = packet.data();
  run.data_size_in = static_cast<uint32_t>(packet.size());
  run.data_out = output.data();
  run.data_size_out = static_cast<uint32_t>(output.size());
  run.repeat = repeat;
  if (bpf_prog_test_run_opts(resources_->program_fd, &run) != 0) {
    const int error = errno;
    throw Error(fmt::format("BPF_PROG_TEST_RUN on a {}-byte packet failed: {}", packet.size(),
                            std::strerror(error)));
  }
  output.resize(run.data_size_out);
  KernelTestRun result;
  result.return_value = run.retval;
  result.packet = std::move(output);
  result.repeat = repeat == 0 ? 1 : repeat;
  result.average_ns = run.duration;
  return result;
}

std::vector<uint8_t> KernelProgram::jited_code() const {
  if (!loaded()) return {};
  std::vector<uint8_t> code(result_.jited_bytes);
  bpf_prog_info info{};
  info.jited_prog_len = static_cast<uint32_t>(code.size());
  info.jited_prog_insns = reinterpret_cast<uint64_t>(code.data());
  uint32_t length = sizeof info;
  if (bpf_obj_get_info_by_fd(resources_->program_fd, &info, &length) != 0) return {};
  code.resize(std::min<size_t>(code.size(), info.jited_prog_len));
  return code;
}

std::string_view verdict_name(KernelVerdict verdict) {
  switch (verdict) {
    case KernelVerdict::Accepted:
      return "accepted";
    case KernelVerdict::Rejected:
      return "rejected";
    case KernelVerdict::NotLoaded:
      return "not loaded";
  }
  return "?";
}

std::string_view loader_name(KernelLoader loader) {
  switch (loader) {
    case KernelLoader::Auto:
      return "auto";
    case KernelLoader::Libbpf:
      return "libbpf";
    case KernelLoader::Direct:
      return "direct";
  }
  return "?";
}

namespace detail {

namespace {

// BPF_LOG_STATS: the kernel appends "verification time N usec" and "processed N insns".
constexpr uint32_t kLogStats = 4;

}  // namespace

double thread_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

AttemptOutcome load_with_growing_log(const KernelLoadOptions& options, const LoadAttempt& attempt) {
  const uint32_t level = (options.log_level > 2 ? 2 : options.log_level) | kLogStats;
  size_t size = std::max<size_t>(options.initial_log_bytes, 4096);
  std::vector<char> log;
  AttemptOutcome outcome;
  for (;;) {
    log.assign(size, '\0');
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = thread_cpu_seconds();
    const int fd = attempt(level, log.data(), log.size());
    outcome.load_cpu_seconds = thread_cpu_seconds() - cpu_start;
    outcome.load_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    outcome.fd = fd >= 0 ? fd : -1;
    outcome.error_number = fd >= 0 ? 0 : -fd;
    outcome.log.assign(log.data(), strnlen(log.data(), log.size()));
    if (outcome.error_number != ENOSPC) return outcome;
    if (size >= options.max_log_bytes) break;
    size = std::min(size * 4, std::max(options.max_log_bytes, size));
  }
  // Too long to keep whole: the kernel kept the tail (where the complaint is); the verdict
  // comes from a run that logs only the statistics.
  const std::string tail = std::move(outcome.log);
  std::vector<char> stats(64 * 1024, '\0');
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = thread_cpu_seconds();
  const int fd = attempt(kLogStats, stats.data(), stats.size());
  outcome.load_cpu_seconds = thread_cpu_seconds() - cpu_start;
  outcome.load_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  outcome.fd = fd >= 0 ? fd : -1;
  outcome.error_number = fd >= 0 ? 0 : -fd;
  outcome.log = tail + "\n" + std::string(stats.data(), strnlen(stats.data(), stats.size()));
  outcome.log_truncated = true;
  return outcome;
}

void record_outcome(const AttemptOutcome& outcome, KernelLoadResult& result) {
  result.log = outcome.log;
  result.log_truncated = outcome.log_truncated;
  result.load_seconds = outcome.load_seconds;
  result.load_cpu_seconds = outcome.load_cpu_seconds;
  result.error_number = outcome.error_number;
  const VerifierLogSummary summary = summarize_verifier_log(outcome.log);
  result.kernel_verification_seconds = summary.verification_seconds;
  result.verified_insns = summary.processed_insns.value_or(0);
  if (outcome.fd < 0 && outcome.error_number == EPERM && outcome.log.empty()) {
    result.verdict = KernelVerdict::NotLoaded;
    result.setup_error = "the kernel does not let this process load BPF programs (EPERM)";
    return;
  }
  if (outcome.fd < 0) {
    result.verdict = KernelVerdict::Rejected;
    result.first_error = summary.first_error.empty()
                             ? fmt::format("BPF_PROG_LOAD failed: {} (no verifier log)",
                                           std::strerror(outcome.error_number))
                             : summary.first_error;
    return;
  }
  result.verdict = KernelVerdict::Accepted;
  bpf_prog_info info{};
  uint32_t length = sizeof info;
  if (bpf_obj_get_info_by_fd(outcome.fd, &info, &length) == 0) {
    result.verified_insns = info.verified_insns;
    result.xlated_bytes = info.xlated_prog_len;
    result.jited_bytes = info.jited_prog_len;
  }
}

std::string kernel_object_name(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (out.size() == BPF_OBJ_NAME_LEN - 1) break;
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.';
    out.push_back(ok ? c : '_');
  }
  return out;
}

}  // namespace detail
}  // namespace nicsim::kernel_oracle
