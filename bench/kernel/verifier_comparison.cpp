// nicsim_kernel_verifier_compare [--repeat N] [--filter SUBSTRING]
// Verifies every program of the ebpf-samples corpus, the bundled programs and the kernel XDP
// samples with nicsim's verifier and the running kernel's, side by side in one run: verdicts,
// instructions processed, verification time (nicsim's own clock; the kernel's "verification
// time" of BPF_LOG_STATS; the wall time of the load). With --repeat N each program is
// verified N times by each side, alternating, and the fastest time of each side is kept
// (the machine is shared). Prints one line per program, the disagreements, the refusals
// with both messages, and the totals (bench/RESULTS.md records a run).

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ebpf/elf/elf_loader.h"
#include "testbench/kernel_oracle/corpus.h"
#include "testbench/kernel_oracle/kernel_access.h"
#include "testbench/kernel_oracle/kernel_comparison.h"
#include "verifier/verifier.h"

using namespace nicsim;
using kernel_oracle::KernelVerdict;

namespace {

struct Row {
  std::string group;
  std::string name;
  kernel_oracle::KernelComparison comparison;
  // This thread's CPU time (user and system): nicsim's around verifier::verify, the kernel's
  // around BPF_PROG_LOAD (verification and the JIT). Unlike the clocks, a busy machine does
  // not inflate it.
  double nicsim_cpu_seconds = 0;
  double kernel_cpu_seconds = 0;
};

struct Totals {
  size_t programs = 0;
  size_t agree = 0;
  size_t both_accepted = 0;
  uint64_t nicsim_insns = 0, kernel_insns = 0;  // over programs both accepted
  double nicsim_seconds = 0, kernel_seconds = 0;
  double nicsim_cpu = 0, kernel_cpu = 0;
  double nicsim_max = 0, kernel_max = 0;
  double nicsim_cpu_max = 0;
  std::string nicsim_slowest, kernel_slowest;

  void add(const Row& row) {
    const auto& c = row.comparison;
    ++programs;
    if (c.agree()) ++agree;
    if (!c.nicsim_accepted || c.kernel_verdict != KernelVerdict::Accepted) return;
    ++both_accepted;
    nicsim_insns += c.nicsim_instructions_processed;
    kernel_insns += c.kernel.verified_insns;
    const double kernel = c.kernel.kernel_verification_seconds.value_or(0);
    nicsim_seconds += c.nicsim_seconds;
    kernel_seconds += kernel;
    nicsim_cpu += row.nicsim_cpu_seconds;
    kernel_cpu += row.kernel_cpu_seconds;
    nicsim_cpu_max = std::max(nicsim_cpu_max, row.nicsim_cpu_seconds);
    if (c.nicsim_seconds > nicsim_max) {
      nicsim_max = c.nicsim_seconds;
      nicsim_slowest = row.name;
    }
    if (kernel > kernel_max) {
      kernel_max = kernel;
      kernel_slowest = row.name;
    }
  }
};

std::string verdict(bool accepted) {
  return accepted ? "accept" : "reject";
}
std::string verdict(KernelVerdict v) {
  switch (v) {
    case KernelVerdict::Accepted:
      return "accept";
    case KernelVerdict::Rejected:
      return "reject";
    case KernelVerdict::NotLoaded:
      return "not loaded";
  }
  return "?";
}

const ebpf::Program* find(const ebpf::ElfObject& object, const kernel_oracle::CorpusProgram& p) {
  for (const ebpf::Program& program : object.programs) {
    if (program.section == p.section && (p.function.empty() || program.function == p.function))
      return &program;
  }
  return nullptr;
}

double thread_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// Verifies the program `repeat` more times on each side, alternating, and keeps each side's
// fastest time by each clock. The verdicts come from compare_verdict's run. Programs the
// kernel loads through a caller (.text functions) keep that run's figures.
void keep_fastest(const ebpf::ElfObject& object, const ebpf::Program& program, int repeat,
                  Row& row) {
  kernel_oracle::KernelComparison& c = row.comparison;
  row.nicsim_cpu_seconds = c.nicsim_seconds;
  row.kernel_cpu_seconds = c.kernel.load_cpu_seconds;
  if (c.kernel_verdict == KernelVerdict::NotLoaded || c.program.find(".text") == 0) return;
  kernel_oracle::KernelLoadOptions options;
  options.program_type = c.program_type;
  for (int i = 0; i < repeat; ++i) {
    const double cpu_start = thread_cpu_seconds();
    const auto nicsim = verifier::verify(object, program);
    const double nicsim_cpu = thread_cpu_seconds() - cpu_start;
    row.nicsim_cpu_seconds = i == 0 ? nicsim_cpu : std::min(row.nicsim_cpu_seconds, nicsim_cpu);
    c.nicsim_seconds = std::min(c.nicsim_seconds, nicsim.stats.seconds);
    const auto kernel = kernel_oracle::KernelProgram::load(object, program, options);
    const auto& seconds = kernel.result().kernel_verification_seconds;
    if (seconds && c.kernel.kernel_verification_seconds) {
      c.kernel.kernel_verification_seconds =
          std::min(*c.kernel.kernel_verification_seconds, *seconds);
    }
    c.kernel.load_seconds = std::min(c.kernel.load_seconds, kernel.result().load_seconds);
    row.kernel_cpu_seconds = std::min(row.kernel_cpu_seconds, kernel.result().load_cpu_seconds);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string filter;
  int repeat = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--filter") == 0 && i + 1 < argc) filter = argv[++i];
    if (std::strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) repeat = std::atoi(argv[++i]);
  }
  const auto& access = kernel_oracle::kernel_access();
  if (!access.available) {
    std::cerr << "the kernel does not let us load BPF programs: " << access.reason << "\n";
    return 1;
  }
  std::vector<std::pair<std::string, kernel_oracle::CorpusProgram>> programs;
  for (auto& p :
       kernel_oracle::ebpf_samples_programs(std::string(NICSIM_TESTDATA_DIR) + "/ebpf-samples")) {
    const std::string project = p.name.substr(0, p.name.find('_'));
    programs.emplace_back(p.path.find("bpf_cilium_test") != std::string::npos ? "bpf_cilium_test"
                          : p.path.find("prototype-kernel") != std::string::npos
                              ? "prototype-kernel"
                              : project,
                          p);
  }
  for (auto& p : kernel_oracle::directory_programs(NICSIM_PROGRAMS_DIR, "bundled_"))
    programs.emplace_back("bundled", p);
  for (auto& p : kernel_oracle::directory_programs(NICSIM_KERNEL_PROGRAMS_DIR, "kernel_"))
    programs.emplace_back("kernel samples", p);

  std::map<std::string, std::unique_ptr<ebpf::ElfObject>> objects;
  std::vector<Row> rows;
  fmt::print(
      "| program | nicsim | kernel | nicsim insns | kernel insns | nicsim ms | kernel ms "
      "| kernel load ms | nicsim CPU ms | kernel load CPU ms |\n"
      "|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const auto& [group, p] : programs) {
    if (!filter.empty() && p.name.find(filter) == std::string::npos) continue;
    auto& object = objects[p.path];
    try {
      if (!object) object = std::make_unique<ebpf::ElfObject>(ebpf::load_elf_file(p.path));
    } catch (const Error& e) {
      fmt::print(stderr, "{}: nicsim's loader refuses the object: {}\n", p.name, e.what());
      continue;
    }
    const ebpf::Program* program = find(*object, p);
    if (program == nullptr) {
      fmt::print(stderr, "{}: no such program in the object\n", p.name);
      continue;
    }
    Row row{group, p.name, kernel_oracle::compare_verdict(*object, *program)};
    keep_fastest(*object, *program, repeat, row);
    const auto& c = row.comparison;
    fmt::print("| {} | {} | {} | {} | {} | {:.3f} | {:.3f} | {:.3f} | {:.3f} | {:.3f} |\n", p.name,
               verdict(c.nicsim_accepted), verdict(c.kernel_verdict),
               c.nicsim_instructions_processed, c.kernel.verified_insns, c.nicsim_seconds * 1e3,
               c.kernel.kernel_verification_seconds.value_or(0) * 1e3, c.kernel.load_seconds * 1e3,
               row.nicsim_cpu_seconds * 1e3, row.kernel_cpu_seconds * 1e3);
    std::fflush(stdout);
    rows.push_back(std::move(row));
  }

  fmt::print("\nBoth refuse (nicsim's message / the kernel's first line):\n\n");
  for (const Row& row : rows) {
    const auto& c = row.comparison;
    if (c.nicsim_accepted || c.kernel_verdict != KernelVerdict::Rejected) continue;
    fmt::print("- {} ({}): `{}` / `{}`\n", row.name, ebpf::program_type_name(c.program_type),
               c.nicsim_error, c.kernel_first_error);
  }

  fmt::print("\nDisagreements and programs the kernel could not judge:\n\n");
  for (const Row& row : rows) {
    const auto& c = row.comparison;
    if (c.agree()) continue;
    fmt::print("- {} ({}, {}): nicsim {}{}; kernel {}: {}\n", row.name,
               ebpf::program_type_name(c.program_type), loader_name(c.kernel.loader),
               verdict(c.nicsim_accepted),
               c.nicsim_error.empty() ? "" : " (" + c.nicsim_error + ")", verdict(c.kernel_verdict),
               c.kernel_first_error);
  }

  std::map<std::string, Totals> by_group;
  Totals all;
  for (const Row& row : rows) {
    by_group[row.group].add(row);
    all.add(row);
  }
  fmt::print(
      "\n| group | programs | verdicts agree | both accept | nicsim insns | kernel insns | "
      "nicsim s | kernel s | nicsim CPU s | kernel load CPU s | nicsim slowest (s) | "
      "kernel slowest (s) | nicsim CPU max (s) |\n"
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|\n");
  auto print_totals = [](const std::string& name, const Totals& t) {
    fmt::print(
        "| {} | {} | {} | {} | {} | {} | {:.3f} | {:.3f} | {:.3f} | {:.3f} | {:.3f} {} | "
        "{:.3f} {} | {:.3f} |\n",
        name, t.programs, t.agree, t.both_accepted, t.nicsim_insns, t.kernel_insns,
        t.nicsim_seconds, t.kernel_seconds, t.nicsim_cpu, t.kernel_cpu, t.nicsim_max,
        t.nicsim_slowest, t.kernel_max, t.kernel_slowest, t.nicsim_cpu_max);
  };
  for (const auto& [group, totals] : by_group)
    print_totals(group, totals);
  print_totals("**total**", all);
  return 0;
}
