#pragma once
// Synthetic traffic from a TrafficSpec: `flows` distinct 5-tuples drawn from the address and
// port ranges, then `packets` frames visiting them (round robin or at random), with valid
// IPv4 header, UDP and TCP checksums and timestamps at the requested rate. The same spec
// (seed included) always yields the same packets, on every platform.

#include <cstdint>
#include <vector>

#include "testbench/traffic/frame_builder.h"
#include "testbench/traffic/packet.h"
#include "testbench/traffic/prng.h"
#include "testbench/traffic/traffic_spec.h"

namespace nicsim::traffic {

// Streams the packets one at a time, for runs too long to hold in memory.
class TrafficGenerator {
 public:
  // Throws nicsim::Error if the spec is invalid (see validate_traffic_spec).
  explicit TrafficGenerator(const TrafficSpec& spec);

  bool done() const { return produced_ >= spec_.packets; }
  uint64_t produced() const { return produced_; }
  // The next packet; must not be called once done().
  Packet next();

  struct Flow {
    FlowTuple tuple;
    uint32_t rx_queue = 0;
    uint32_t ipv6_flow_label = 0;
    uint16_t next_ipv4_id = 0;
    uint32_t next_tcp_sequence = 0;
    uint64_t packets_sent = 0;
  };
  const std::vector<Flow>& flows() const { return flows_; }

 private:
  void choose_flows();
  uint32_t next_frame_size(const FlowTuple& tuple);

  TrafficSpec spec_;
  std::vector<Flow> flows_;
  Prng packet_random_;
  uint64_t produced_ = 0;
};

// All the packets at once; TrafficGenerator streams them for runs too large for memory.
std::vector<Packet> generate_traffic(const TrafficSpec& spec);

}  // namespace nicsim::traffic
