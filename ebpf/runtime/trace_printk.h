#pragma once
// bpf_trace_printk's formatting, with the kernel's acceptance rules (bpf_bprintf_prepare of
// Linux 6.12): at most 3 arguments; conversions %d %i %u %x %X with optional l/ll, %c, %s,
// %p (and %pK %px %ps %pS %pB, %pks %pus, %pi4 %pI4 %pi6 %pI6), %%; optional flags
// [0 +-space] and a width; no control characters. The kernel prints %p hashed; nicsim prints
// every pointer as 16 hex digits (like %px), and symbols (%ps %pS %pB) as 0x-prefixed hex.

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

namespace nicsim::ebpf {

// Copies `length` bytes of program memory at `address` into `out`; false if unreadable.
using ProgramMemoryReader = std::function<bool(uint64_t address, void* out, size_t length)>;

// Formats `format` (the bytes up to its NUL) with `args`. Returns the kernel helper's result:
// the length of the formatted text, or -EINVAL when the kernel refuses the format (`out` is
// then empty). `out` is truncated to 1023 characters, as the kernel's buffer is.
int64_t format_trace_printk(std::string_view format, std::span<const uint64_t> args,
                            const ProgramMemoryReader& read, std::string& out);

}  // namespace nicsim::ebpf
