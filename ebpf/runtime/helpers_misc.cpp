// Clock, random numbers, CPU id and bpf_probe_read.

#include <cerrno>
#include <cstring>

#include "ebpf/runtime/helper_functions.h"
#include "ebpf/runtime/helper_support.h"

namespace nicsim::ebpf {

using namespace helper_support;

uint64_t helper_probe_read(uint64_t dst, uint64_t size, uint64_t src, uint64_t, uint64_t,
                           Runtime* runtime) {
  const auto length = static_cast<uint32_t>(size);
  if (!check_writable(*runtime, "probe_read", "destination", dst, length)) return 0;
  if (length == 0) return 0;
  // Like the kernel's copy_from_kernel_nofault: an unreadable source is not a program error,
  // the helper fails with -EFAULT and leaves the destination zeroed.
  if (!runtime->accessible(src, length, false)) {
    std::memset(host_pointer<void>(dst), 0, length);
    return error_result(-EFAULT);
  }
  std::memmove(host_pointer<void>(dst), host_pointer<const void>(src), length);
  return 0;
}

// ktime_get_ns, ktime_get_boot_ns and ktime_get_coarse_ns all read the simulated clock.
uint64_t helper_ktime_get_ns(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, Runtime* runtime) {
  return runtime->now_ns();
}

uint64_t helper_get_prandom_u32(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t,
                                Runtime* runtime) {
  return runtime->next_prandom();
}

uint64_t helper_get_smp_processor_id(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t,
                                     Runtime* runtime) {
  return runtime->cpu();
}

}  // namespace nicsim::ebpf
