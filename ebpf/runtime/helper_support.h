#pragma once
// What every helper implementation needs: argument checks that report a bad pointer or map
// through Runtime::raise_fault, and the kernel's way of returning a negative errno in r0.
// Internal to ebpf/runtime.

#include <cstdint>
#include <string_view>

#include "ebpf/runtime/runtime.h"

namespace nicsim::ebpf::helper_support {

// -errno as the 64-bit register value a helper returns.
constexpr uint64_t error_result(int negative_errno) {
  return static_cast<uint64_t>(static_cast<int64_t>(negative_errno));
}

template <typename T>
T* host_pointer(uint64_t address) {
  return reinterpret_cast<T*>(address);
}

// True when the program may read (or write) [address, address + length). Otherwise raises
// "helper <helper>: <what> pointer 0x... is not readable for N bytes" and returns false.
// A zero length is always accepted (ARG_CONST_SIZE_OR_ZERO arguments).
bool check_readable(Runtime& runtime, std::string_view helper, std::string_view what,
                    uint64_t address, uint64_t length);
bool check_writable(Runtime& runtime, std::string_view helper, std::string_view what,
                    uint64_t address, uint64_t length);

// The map `value` points at, or nullptr after raising a fault.
Map* map_argument(Runtime& runtime, std::string_view helper, uint64_t value);

// The XDP frame whose context `ctx` points at, or nullptr after raising a fault (no frame, or
// `ctx` is not its context).
XdpFrame* xdp_frame_argument(Runtime& runtime, std::string_view helper, uint64_t ctx);

}  // namespace nicsim::ebpf::helper_support
