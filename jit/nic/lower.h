#pragma once
// eBPF -> native operations, one eBPF instruction at a time, in basic blocks. Anything the
// core cannot run is refused here with a CompileError naming the instruction.

#include <span>
#include <string>

#include "ebpf/program/program.h"
#include "firmware/image/image.h"
#include "jit/nic/ir.h"

namespace nicsim::jit::nic {

// `maps` is the object's map layout (layout_maps). Throws CompileError.
Function lower(const ebpf::Program& program, std::span<const firmware::MapLayout> maps);

// Why helper `id` cannot run on the NIC ("" when it can: a hardware unit or a routine).
std::string helper_refusal(int32_t id);

// A native operation that puts `value` in `rd` (mov, mov.32 or a pool constant).
Op make_constant(uint8_t rd, uint64_t value);

}  // namespace nicsim::jit::nic
