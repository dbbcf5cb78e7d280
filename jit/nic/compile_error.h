#pragma once
// A program the NIC cannot run: refused with a one-line reason naming the program and the
// instruction, as the kernel's offload refuses ("program 'xdp': insn 12: helper trace_printk
// needs the host's trace buffer").

#include <string>

#include "ebpf/util/error.h"

namespace nicsim::jit::nic {

class CompileError : public Error {
 public:
  using Error::Error;
};

}  // namespace nicsim::jit::nic
