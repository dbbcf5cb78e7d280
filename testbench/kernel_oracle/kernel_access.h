#pragma once
// Whether this process may load BPF programs into the running kernel at all. Tests that need
// the kernel skip, saying why, where it may not (not root, no CAP_BPF, bpf() denied by a
// seccomp filter or a container, unprivileged BPF disabled).

#include <string>

namespace nicsim::kernel_oracle {

struct KernelAccess {
  bool available = false;
  std::string reason;  // when unavailable: what the kernel answered
};

// Probed once per process by loading (and closing) a two-instruction XDP program and running
// it with BPF_PROG_TEST_RUN.
const KernelAccess& kernel_access();
// The same probe, not cached (after a change of credentials).
KernelAccess probe_kernel_access();

}  // namespace nicsim::kernel_oracle
