#pragma once
// One packet as it enters an XDP program: the frame bytes the kernel hands to XDP (Ethernet
// header included, FCS excluded), when it arrived and on which interface and queue.

#include <cstdint>
#include <vector>

namespace nicsim::traffic {

struct Packet {
  std::vector<uint8_t> bytes;
  uint64_t timestamp_ns = 0;
  uint32_t ingress_ifindex = 1;
  uint32_t rx_queue_index = 0;

  bool operator==(const Packet&) const = default;
};

}  // namespace nicsim::traffic
