#pragma once
// The C++ slow paths generated arm64 code calls (jit/common/slow_paths.h), by the address the
// code branches to with BLR. Running natively, that is the function itself; under emulation
// it is a trap address of the emulator, whose hook calls the function on the host with the
// emulated x0..x5 and writes its result back to x0.

#include <array>
#include <cstddef>
#include <cstdint>

namespace nicsim::jit::a64 {

enum class HostCall : uint8_t {
  Load,          // slow_path::load(state, address, size_flags, site) -> value
  CheckWrite,    // slow_path::check_write(state, address, size, site)
  CallHelper,    // slow_path::call_helper(r1, r2, r3, r4, r5, state) -> r0
  TailCall,      // slow_path::tail_call(state, map, index, site) -> target or 0
  ResolveCallx,  // slow_path::resolve_callx(state, target, site) -> kCallx*
  Fault,         // slow_path::fault(state, kind, insn, extra, site)
  LegacyLoad,    // slow_path::legacy_load(state, offset, size, site) -> value
};
inline constexpr size_t kHostCallCount = 7;

struct HostCallTable {
  std::array<uint64_t, kHostCallCount> address{};
  uint64_t operator[](HostCall call) const { return address[static_cast<size_t>(call)]; }
};

// The slow paths' own addresses, for code that runs natively on an AArch64 host.
HostCallTable native_host_calls();

}  // namespace nicsim::jit::a64
