// nicsim verify: is the program safe, as the Linux verifier would judge it?
// Exit 0 accepted, 1 refused, 2 bad input.

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "ebpf/elf/elf_loader.h"
#include "ebpf/util/error.h"
#include "testbench/kernel_oracle/kernel_comparison.h"
#include "tools/nicsim/cli_common.h"
#include "tools/nicsim/command.h"
#include "tools/nicsim/json_output.h"
#include "verifier/verifier.h"

namespace nicsim::cli {

namespace {

std::optional<ebpf::ProgramType> parse_type(const std::string& name) {
  if (name.empty()) return std::nullopt;
  for (uint32_t t = 0; t <= static_cast<uint32_t>(ebpf::ProgramType::Netfilter); ++t) {
    const auto type = static_cast<ebpf::ProgramType>(t);
    if (ebpf::program_type_name(type) == name) return type;
  }
  throw Error(
      fmt::format("unknown program type '{}' (e.g. xdp, sched_cls, socket_filter, kprobe)", name));
}

nlohmann::json to_json(const ebpf::Program& prog, const verifier::VerificationResult& result) {
  nlohmann::json out = {
      {"program", prog.display_name()},
      {"type", std::string(ebpf::program_type_name(result.program_type))},
      {"accepted", result.accepted},
      {"instructions_processed", result.stats.instructions_processed},
      {"states_stored", result.stats.states_stored},
      {"peak_states", result.stats.peak_states},
      {"stack_depth", result.stats.stack_depth},
      {"seconds", result.stats.seconds},
      {"warnings", result.warnings},
  };
  if (result.error) {
    nlohmann::json error = {{"insn", result.error->insn}, {"message", result.error->message}};
    if (result.error->source) {
      error["file"] = result.error->source->file;
      error["line"] = result.error->source->line;
      error["source"] = result.error->source->text;
    }
    out["error"] = error;
  }
  return out;
}

void print_result(const std::string& path, const ebpf::Program& prog,
                  const verifier::VerificationResult& result, bool verbose) {
  if (verbose) {
    for (const auto& line : result.log)
      fmt::print("{}\n", line);
  }
  for (const auto& warning : result.warnings)
    fmt::print("{} ({}): warning: {}\n", path, prog.display_name(), warning);
  const auto& s = result.stats;
  if (result.accepted) {
    fmt::print("{} ({}, {}): accepted — processed {} insns, {} states, stack {} bytes, {:.3f} s\n",
               path, prog.display_name(), ebpf::program_type_name(result.program_type),
               s.instructions_processed, s.states_stored, s.stack_depth, s.seconds);
  } else {
    fmt::print("{} ({}, {}): refused — {}\n", path, prog.display_name(),
               ebpf::program_type_name(result.program_type),
               result.error ? result.error->to_string() : std::string("no reason given"));
    fmt::print("  processed {} insns in {:.3f} s\n", s.instructions_processed, s.seconds);
  }
}

// The kernel's verdict on the same program; the exit code stays nicsim's own verdict.
nlohmann::json compare_with_kernel(const ebpf::ElfObject& object, const ebpf::Program& prog,
                                   const verifier::VerifierOptions& verifier_options,
                                   const std::string& json) {
  kernel_oracle::CompareOptions options;
  options.verifier = verifier_options;
  options.verifier.log_states = false;
  const kernel_oracle::KernelComparison c = kernel_oracle::compare_verdict(object, prog, options);
  const std::string verdict(kernel_oracle::verdict_name(c.kernel_verdict));
  if (json != "-") {
    if (!c.comparable()) {
      fmt::print("  kernel: not loaded — {} (no comparison)\n", c.kernel_first_error);
    } else {
      fmt::print(
          "  kernel: {} — {}{}\n", verdict,
          c.kernel_first_error.empty()
              ? std::string("processed ") + std::to_string(c.kernel.verified_insns) + " insns"
              : c.kernel_first_error,
          c.agree() ? " (same verdict)" : " (VERDICTS DIFFER)");
    }
  }
  nlohmann::json out = {{"verdict", verdict},
                        {"agree", c.agree()},
                        {"comparable", c.comparable()},
                        {"instructions_processed", c.kernel.verified_insns},
                        {"load_seconds", c.kernel.load_seconds},
                        {"jited_bytes", c.kernel.jited_bytes}};
  if (!c.kernel_first_error.empty()) out["first_error"] = c.kernel_first_error;
  return out;
}

}  // namespace

int verify_main(const std::vector<std::string>& args) {
  std::string object_path, section, type, json, source_root;
  po::options_description options("options");
  options.add_options()("object", po::value(&object_path)->required(), "BPF object file")(
      "section,s", po::value(&section)->default_value(""),
      "program: section, function or section/function (default: the only one)")(
      "all,a", "verify every program of the object")(
      "type,t", po::value(&type)->default_value(""),
      "verify as this program type (xdp, sched_cls, socket_filter, kprobe, tracepoint, ...)")(
      "verbose,v", "print the per-instruction state log, as the kernel's log level 2")(
      "kernel-rules",
      "also refuse what the kernel refuses although the ISA defines it "
      "(division by an immediate 0, out-of-range shifts)")(
      "reject-unreachable", "refuse unreachable instructions, as the kernel does")(
      "json", po::value(&json)->default_value(""), "write the verdicts as JSON ('-': stdout)")(
      "source-root", po::value(&source_root)->default_value(""),
      "directory to find source files named in BTF line info")(
      "compare-kernel",
      "also load the program into the running kernel (root with CAP_BPF; maps created as the "
      "object declares them) and print both verdicts");
  po::positional_options_description positional;
  positional.add("object", 1);
  po::variables_map values;
  if (!parse_command_line(args, "usage: nicsim verify prog.o [--section S | --all] [-v]", options,
                          positional, values))
    return kExitOk;

  ebpf::ElfLoadOptions load_options;
  load_options.source_root = source_root;
  const ebpf::ElfObject object = ebpf::load_elf_file(object_path, load_options);
  if (object.programs.empty())
    throw Error(fmt::format("{}: the object holds no program", object_path));
  std::vector<const ebpf::Program*> chosen;
  if (values.count("all")) {
    for (const auto& prog : object.programs)
      chosen.push_back(&prog);
  } else if (!section.empty()) {
    chosen.push_back(&object.find_program(section));
  } else if (object.programs.size() == 1) {
    chosen.push_back(&object.programs.front());
  } else {
    std::string names;
    for (const auto& prog : object.programs)
      names += (names.empty() ? "" : ", ") + prog.display_name();
    throw Error(fmt::format("{}: holds {} programs ({}); choose one with --section or use --all",
                            object_path, object.programs.size(), names));
  }

  verifier::VerifierOptions verifier_options;
  verifier_options.program_type = parse_type(type);
  verifier_options.log_states = values.count("verbose") > 0;
  verifier_options.kernel_sanity_checks = values.count("kernel-rules") > 0;
  verifier_options.reject_unreachable = values.count("reject-unreachable") > 0;

  bool all_accepted = true;
  nlohmann::json verdicts = nlohmann::json::array();
  const bool compare_kernel = values.count("compare-kernel") > 0;
  for (const ebpf::Program* prog : chosen) {
    const auto result = verifier::verify(object, *prog, verifier_options);
    all_accepted = all_accepted && result.accepted;
    if (json != "-") print_result(object_path, *prog, result, values.count("verbose") > 0);
    nlohmann::json verdict = to_json(*prog, result);
    if (compare_kernel)
      verdict["kernel"] = compare_with_kernel(object, *prog, verifier_options, json);
    verdicts.push_back(verdict);
  }
  if (json == "-") {
    fmt::print("{}\n", nlohmann::json{{"object", object_path}, {"programs", verdicts}}.dump(2));
  } else if (!json.empty()) {
    write_json_file(json, {{"object", object_path}, {"programs", verdicts}});
  }
  return all_accepted ? kExitOk : kExitRejected;
}

}  // namespace nicsim::cli
