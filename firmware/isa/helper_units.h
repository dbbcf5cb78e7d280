#pragma once
// Which kernel helpers the NIC implements as hardware units (`hcall <id>`), and the class of
// unit that serves each (docs/nic-isa.md section 9). The firmware routines are listed in
// firmware/routines/routines.h; every other helper is refused by the compiler.

#include <cstdint>
#include <span>
#include <string_view>

namespace nicsim::firmware {

enum class HelperUnit : uint8_t {
  MapLookup,
  MapUpdate,
  MapDelete,
  Redirect,
  RedirectMap,
  Checksum,
  PacketAdjust
};

struct HardwareHelper {
  int32_t id;             // kernel helper id (enum bpf_func_id)
  std::string_view name;  // kernel name without the bpf_ prefix
  HelperUnit unit;
  uint8_t arguments;  // how many of r1..r5 the unit reads
};

// nullptr when helper `id` is not a hardware unit.
const HardwareHelper* find_hardware_helper(int32_t id);
const HardwareHelper* find_hardware_helper(std::string_view name);
std::span<const HardwareHelper> hardware_helpers();

}  // namespace nicsim::firmware
