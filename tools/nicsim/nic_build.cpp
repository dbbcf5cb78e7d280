#include "tools/nicsim/nic_build.h"

#include <fmt/format.h>

#include <algorithm>

#include "jit/nic/verified.h"
#include "verifier/verifier.h"

namespace nicsim::cli {

void add_nic_compile_options(po::options_description& options) {
  options.add_options()("lanes,L", po::value<unsigned>()->default_value(4),
                        "NIC bundle lanes (1..8)")(
      "memory-ports", po::value<unsigned>(),
      "memory operations per bundle (default: 2, or 1 with one lane)");
  for (jit::nic::Pass pass : jit::nic::all_passes()) {
    const std::string name = "no-" + std::string(jit::nic::pass_name(pass));
    options.add_options()(
        name.c_str(),
        fmt::format("NIC compiler: switch off the {} pass", jit::nic::pass_name(pass)).c_str());
  }
}

jit::nic::CompileOptions nic_compile_options(const po::variables_map& values) {
  jit::nic::CompileOptions options;
  const unsigned lanes = values["lanes"].as<unsigned>();
  if (lanes < 1 || lanes > 8) throw Error(fmt::format("--lanes {}: must be 1..8", lanes));
  // The core's default is two ports; a narrower core cannot have more ports than lanes.
  const unsigned ports =
      values.count("memory-ports") ? values["memory-ports"].as<unsigned>() : std::min(2u, lanes);
  if (ports < 1 || ports > lanes)
    throw Error(fmt::format("--memory-ports {}: must be 1..{} (the lanes)", ports, lanes));
  options.lanes = static_cast<uint8_t>(lanes);
  options.memory_ports = static_cast<uint8_t>(ports);
  for (jit::nic::Pass pass : jit::nic::all_passes()) {
    if (values.count("no-" + std::string(jit::nic::pass_name(pass))))
      options.set_enabled(pass, false);
  }
  return options;
}

jit::nic::CompileResult build_nic_image(const LoadedProgram& loaded,
                                        const jit::nic::CompileOptions& options) {
  try {
    return jit::nic::compile(verifier::verify_program(loaded.object, loaded.program()), options);
  } catch (const verifier::VerificationFailed& e) {
    throw Error(fmt::format("{} (only verified programs are offloaded)", e.what()));
  }
}

}  // namespace nicsim::cli
