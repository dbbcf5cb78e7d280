// kernel_oracle_probe <object.o> [program] [--level 0|1|2] [--direct|--libbpf] [--type T]
// Loads one program (every program when none is named) into the running kernel and prints
// the verdict, the statistics and the first error line; --log prints the whole log.

#include <fmt/format.h>

#include <cstring>
#include <iostream>
#include <string>

#include "ebpf/elf/elf_loader.h"
#include "testbench/kernel_oracle/kernel_program.h"

using namespace nicsim;

namespace {

std::optional<ebpf::ProgramType> parse_type(const std::string& name) {
  for (uint32_t t = 0; t <= 32; ++t) {
    if (ebpf::program_type_name(static_cast<ebpf::ProgramType>(t)) == name)
      return static_cast<ebpf::ProgramType>(t);
  }
  return std::nullopt;
}

void report(const ebpf::Program& program, const kernel_oracle::KernelProgram& kernel,
            bool print_log) {
  const auto& r = kernel.result();
  fmt::print("{}: {} (loader {}, type {})\n", program.display_name(),
             kernel_oracle::verdict_name(r.verdict), kernel_oracle::loader_name(r.loader),
             ebpf::program_type_name(r.program_type));
  for (const auto& note : r.notes)
    fmt::print("  note: {}\n", note);
  if (!r.setup_error.empty()) fmt::print("  setup error: {}\n", r.setup_error);
  if (!r.first_error.empty()) fmt::print("  first error: {}\n", r.first_error);
  fmt::print(
      "  verified insns {}, kernel verification {:.6f} s, load {:.6f} s, xlated {} B, "
      "jited {} B{}\n",
      r.verified_insns, r.kernel_verification_seconds.value_or(-1), r.load_seconds, r.xlated_bytes,
      r.jited_bytes, r.log_truncated ? ", log truncated" : "");
  if (print_log) fmt::print("{}\n", r.log);
}

}  // namespace

int main(int argc, char** argv) {
  std::string path, name;
  kernel_oracle::KernelLoadOptions options;
  bool print_log = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--level" && i + 1 < argc) {
      options.log_level = static_cast<uint32_t>(std::stoul(argv[++i]));
    } else if (arg == "--direct") {
      options.loader = kernel_oracle::KernelLoader::Direct;
    } else if (arg == "--libbpf") {
      options.loader = kernel_oracle::KernelLoader::Libbpf;
    } else if (arg == "--log") {
      print_log = true;
    } else if (arg == "--type" && i + 1 < argc) {
      options.program_type = parse_type(argv[++i]);
      if (!options.program_type) {
        std::cerr << "unknown program type " << argv[i] << "\n";
        return 2;
      }
    } else if (path.empty()) {
      path = arg;
    } else {
      name = arg;
    }
  }
  if (path.empty()) {
    std::cerr << "usage: kernel_oracle_probe <object.o> [program] [--level N] [--direct|--libbpf] "
                 "[--type T] [--log]\n";
    return 2;
  }
  try {
    const ebpf::ElfObject object = ebpf::load_elf_file(path);
    for (const ebpf::Program& program : object.programs) {
      if (!name.empty() && &program != &object.find_program(name)) continue;
      if (!options.program_type && program.type == ebpf::ProgramType::Unspec) {
        fmt::print("{}: no program type (pass --type)\n", program.display_name());
        continue;
      }
      report(program, kernel_oracle::KernelProgram::load(object, program, options), print_log);
    }
  } catch (const Error& e) {
    std::cerr << e.what() << "\n";
    return 2;
  }
  return 0;
}
