#pragma once
// Shared by the commands that put a program on the NIC (jit --target nic, sim, compare):
// the compiler options from the command line, and verify-then-compile.

#include <string>
#include <vector>

#include "jit/nic/compiler.h"
#include "tools/nicsim/cli_common.h"

namespace nicsim::cli {

// --lanes, --memory-ports and one --no-<pass> switch per NIC compiler pass.
void add_nic_compile_options(po::options_description& options);
jit::nic::CompileOptions nic_compile_options(const po::variables_map& values);

// Verifies the program (the NIC compiler takes only verified programs) and compiles it.
// Throws nicsim::Error with the verifier's reason when the program is refused.
jit::nic::CompileResult build_nic_image(const LoadedProgram& loaded,
                                        const jit::nic::CompileOptions& options);

}  // namespace nicsim::cli
