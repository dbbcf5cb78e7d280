// nicsim jit: compile a program for a target and show the code.

#include <fmt/format.h>

#include <fstream>

#include "ebpf/runtime/runtime.h"
#include "ebpf/util/error.h"
#include "firmware/image/image.h"
#include "jit/arm64/a64_compiler.h"
#include "jit/arm64/a64_disassembler.h"
#include "jit/nic/compiler.h"
#include "jit/x86_64/x86_compiler.h"
#include "jit/x86_64/x86_disassembler.h"
#include "tools/nicsim/cli_common.h"
#include "tools/nicsim/command.h"
#include "tools/nicsim/nic_build.h"

namespace nicsim::cli {

namespace {

// The NIC takes verified programs only; the image is what `--out` writes and `sim --image` reads.
int jit_nic(const LoadedProgram& loaded, const std::string& object_path, const std::string& out,
            const po::variables_map& values) {
  const jit::nic::CompileResult result = build_nic_image(loaded, nic_compile_options(values));
  if (values.count("disasm")) fmt::print("{}", jit::nic::disassemble_image(result.image));
  if (values.count("report")) fmt::print("{}", jit::nic::format_report(result.report));
  if (!out.empty()) firmware::save_image_file(result.image, out);
  fmt::print(
      "nicsim jit: {} ({}) -> nic: {} eBPF instructions, {} bundles of {} lanes "
      "(program {}, firmware routines {})\n",
      object_path, loaded.program().display_name(), loaded.program().insns.size(),
      result.image.bundle_count(), result.image.lanes, result.image.program_bundles,
      result.image.bundle_count() - result.image.program_bundles);
  return kExitOk;
}

}  // namespace

int jit_main(const std::vector<std::string>& args) {
  std::string object_path, section, target, out;
  po::options_description options("options");
  options.add_options()("object", po::value(&object_path)->required(), "BPF object file")(
      "section,s", po::value(&section)->default_value(""), "program (default: the only one)")(
      "target,t", po::value(&target)->default_value("x86_64"),
      "x86_64, arm64 or nic (the SmartNIC core)")(
      "out,o", po::value(&out)->default_value(""),
      "write the native code bytes to FILE (for nic: the firmware image)")(
      "disasm,d", "print the code: each eBPF instruction above the native instructions")(
      "bytes", "with --disasm: show the machine code bytes")("harden", "constant blinding")(
      "report", "for nic: what each compiler pass changed");
  add_nic_compile_options(options);
  po::positional_options_description positional;
  positional.add("object", 1);
  po::variables_map values;
  if (!parse_command_line(
          args, "usage: nicsim jit prog.o --target x86_64|arm64|nic [--disasm] [--out code.bin]",
          options, positional, values))
    return kExitOk;
  if (target != "x86_64" && target != "arm64" && target != "nic")
    throw Error(
        fmt::format("unknown target '{}' (this nicsim compiles for: x86_64, arm64, nic)", target));

  const LoadedProgram loaded = load_program(object_path, section, /*want_xdp=*/false);
  if (target == "nic") return jit_nic(loaded, object_path, out, values);
  ebpf::Runtime runtime(loaded.object);
  jit::JitOptions jit_options;
  jit_options.harden = values.count("harden") > 0;
  auto engine = target == "x86_64" ? jit::make_x86_64_engine(loaded.program(), runtime, jit_options)
                                   : jit::make_arm64_engine(loaded.program(), runtime, jit_options);
  const jit::CompiledProgram& compiled = engine->entry();
  if (values.count("disasm")) {
    if (target == "x86_64") {
      jit::X86DisassemblyOptions disasm_options;
      disasm_options.show_bytes = values.count("bytes") > 0;
      fmt::print("{}", jit::disassemble_x86_64(compiled, disasm_options));
    } else {
      jit::Arm64DisassemblyOptions disasm_options;
      disasm_options.show_bytes = values.count("bytes") > 0;
      fmt::print("{}", jit::disassemble_arm64(compiled, disasm_options));
    }
  }
  const auto code = compiled.code.code();
  if (!out.empty()) {
    std::ofstream file(out, std::ios::binary);
    file.write(reinterpret_cast<const char*>(code.data()),
               static_cast<std::streamsize>(code.size()));
    file.close();
    if (!file) throw Error(fmt::format("{}: cannot write", out));
  }
  fmt::print("nicsim jit: {} ({}) -> {}: {} eBPF instructions, {} bytes of native code\n",
             object_path, loaded.program().display_name(), target, loaded.program().insns.size(),
             code.size());
  return kExitOk;
}

}  // namespace nicsim::cli
