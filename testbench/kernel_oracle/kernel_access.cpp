#include "testbench/kernel_oracle/kernel_access.h"

#include <bpf/bpf.h>
#include <fmt/format.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace nicsim::kernel_oracle {
KernelAccess probe_kernel_access() {
  // r0 = XDP_PASS; exit
  const std::array<bpf_insn, 2> insns = {{
      {BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, XDP_PASS},
      {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
  }};
  const int fd =
      bpf_prog_load(BPF_PROG_TYPE_XDP, "nicsim_probe", "GPL", insns.data(), insns.size(), nullptr);
  if (fd < 0) {
    const int error = errno;
    return {false, fmt::format("bpf(BPF_PROG_LOAD) of a 2-instruction XDP program failed: {} "
                               "(uid {}; loading BPF programs needs root or CAP_BPF)",
                               std::strerror(error), getuid())};
  }
  std::array<uint8_t, 64> packet{};
  std::array<uint8_t, 256> output{};
  bpf_test_run_opts run{};
  run.sz = sizeof run;
  run.data_in = packet.data();
  run.data_size_in = packet.size();
  run.data_out = output.data();
  run.data_size_out = output.size();
  run.repeat = 1;
  const int status = bpf_prog_test_run_opts(fd, &run);
  const int error = errno;
  close(fd);
  if (status != 0) {
    return {false, fmt::format("bpf(BPF_PROG_TEST_RUN) failed: {}", std::strerror(error))};
  }
  if (run.retval != XDP_PASS) {
    return {false, fmt::format("BPF_PROG_TEST_RUN of 'return XDP_PASS' returned {}", run.retval)};
  }
  return {true, ""};
}

const KernelAccess& kernel_access() {
  static const KernelAccess access = probe_kernel_access();
  return access;
}

}  // namespace nicsim::kernel_oracle
