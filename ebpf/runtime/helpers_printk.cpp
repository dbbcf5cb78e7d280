// bpf_trace_printk: formats with the kernel's rules and records the line with
// Runtime::record_trace.

#include <cstring>

#include "ebpf/runtime/helper_functions.h"
#include "ebpf/runtime/helper_support.h"
#include "ebpf/runtime/trace_printk.h"

namespace nicsim::ebpf {

using namespace helper_support;

uint64_t helper_trace_printk(uint64_t fmt, uint64_t fmt_size, uint64_t arg1, uint64_t arg2,
                             uint64_t arg3, Runtime* runtime) {
  const auto size = static_cast<uint32_t>(fmt_size);
  if (!check_readable(*runtime, "trace_printk", "format", fmt, size)) return 0;
  const std::string_view format(size == 0 ? "" : host_pointer<const char>(fmt), size);
  const uint64_t args[3] = {arg1, arg2, arg3};
  const ProgramMemoryReader read = [runtime](uint64_t address, void* out, size_t length) {
    if (!runtime->accessible(address, length, false)) return false;
    std::memcpy(out, host_pointer<const void>(address), length);
    return true;
  };
  std::string text;
  const int64_t result = format_trace_printk(format, args, read, text);
  if (result >= 0) runtime->record_trace(std::move(text));
  return static_cast<uint64_t>(result);
}

}  // namespace nicsim::ebpf
