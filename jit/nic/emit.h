#pragma once
// Scheduled chains -> image: bundle addresses, branch targets, the constant pool, firmware
// routines linked after the program, helper bindings, debug origins.

#include <span>
#include <vector>

#include "ebpf/program/program.h"
#include "firmware/image/image.h"
#include "jit/nic/ir.h"
#include "jit/nic/options.h"
#include "jit/nic/scheduler.h"

namespace nicsim::jit::nic {

// Throws CompileError when the code does not fit the instruction memory.
firmware::Image emit_image(const Function& fn, const std::vector<ScheduledChain>& chains,
                           const ebpf::Program& program, std::vector<firmware::MapLayout> maps,
                           const CompileOptions& options);

}  // namespace nicsim::jit::nic
