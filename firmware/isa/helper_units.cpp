#include "firmware/isa/helper_units.h"

#include <array>

namespace nicsim::firmware {

namespace {

constexpr std::array<HardwareHelper, 9> kHelpers = {{
    {1, "map_lookup_elem", HelperUnit::MapLookup, 2},
    {2, "map_update_elem", HelperUnit::MapUpdate, 4},
    {3, "map_delete_elem", HelperUnit::MapDelete, 2},
    {23, "redirect", HelperUnit::Redirect, 2},
    {28, "csum_diff", HelperUnit::Checksum, 5},
    {44, "xdp_adjust_head", HelperUnit::PacketAdjust, 2},
    {51, "redirect_map", HelperUnit::RedirectMap, 3},
    {54, "xdp_adjust_meta", HelperUnit::PacketAdjust, 2},
    {65, "xdp_adjust_tail", HelperUnit::PacketAdjust, 2},
}};

}  // namespace

const HardwareHelper* find_hardware_helper(int32_t id) {
  for (const auto& helper : kHelpers) {
    if (helper.id == id) return &helper;
  }
  return nullptr;
}

const HardwareHelper* find_hardware_helper(std::string_view name) {
  for (const auto& helper : kHelpers) {
    if (helper.name == name) return &helper;
  }
  return nullptr;
}

std::span<const HardwareHelper> hardware_helpers() {
  return kHelpers;
}

}  // namespace nicsim::firmware
