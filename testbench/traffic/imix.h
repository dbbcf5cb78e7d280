#pragma once
// The simple IMIX (7:4:1 of 40-, 576- and 1500-byte IP packets), as XDP sees the frames:
// Ethernet header included, FCS excluded, the smallest padded to the 60-byte minimum.

#include <array>
#include <cstdint>

namespace nicsim::traffic {

constexpr std::array<uint32_t, 3> kImixSizes = {60, 590, 1514};
constexpr std::array<uint32_t, 3> kImixWeights = {7, 4, 1};

}  // namespace nicsim::traffic
