#pragma once
// What synthetic traffic to generate, and its compact text form for the command line:
//   "proto=udp,ip=4,flows=16,packets=1000,size=64,seed=1"
//   "ip=mix,proto=mix,size=imix,flows=1000,packets=100000,rate=10M"
//   "dst=10.1.0.0/16,dport=80,size=64-1500"
// Keys not given keep the defaults below. docs/traffic.md lists every key.

#include <cstdint>
#include <string>
#include <string_view>

#include "testbench/traffic/addresses.h"

namespace nicsim::traffic {

enum class IpVersionMix : uint8_t { V4, V6, Mix };
enum class TransportMix : uint8_t { Udp, Tcp, Mix };
enum class SizeDistribution : uint8_t { Fixed, Uniform, Imix };
enum class FlowOrder : uint8_t { RoundRobin, Random };

struct PortRange {
  uint16_t first = 0;
  uint16_t last = 0;
  bool operator==(const PortRange&) const = default;
};

struct TrafficSpec {
  IpVersionMix ip = IpVersionMix::V4;
  TransportMix transport = TransportMix::Udp;
  // Frame sizes count like the kernel's XDP data length: Ethernet header included, FCS
  // excluded, so a minimum-size frame (64 bytes on the wire) is 60.
  SizeDistribution size = SizeDistribution::Fixed;
  uint32_t size_min = 64;  // Fixed: the size; Uniform: the range
  uint32_t size_max = 64;
  uint32_t flows = 1;
  uint64_t packets = 1;
  uint64_t seed = 1;
  uint64_t rate_pps = 1'000'000;  // packets per second, for timestamps
  FlowOrder order = FlowOrder::RoundRobin;
  IpPrefix source4 = parse_ip_prefix("10.0.0.0/8");
  IpPrefix destination4 = parse_ip_prefix("192.168.0.0/16");
  IpPrefix source6 = parse_ip_prefix("fd00:a::/64");
  IpPrefix destination6 = parse_ip_prefix("fd00:b::/64");
  PortRange source_ports{1024, 65535};
  PortRange destination_ports{1, 1023};
  MacAddress source_mac = {0x02, 0, 0, 0, 0, 0x01};
  MacAddress destination_mac = {0x02, 0, 0, 0, 0, 0x02};
  uint8_t ttl = 64;
  uint32_t ingress_ifindex = 1;
  uint32_t rx_queues = 1;  // flows spread over queues 0..rx_queues-1, as RSS would

  bool operator==(const TrafficSpec&) const = default;
};

// Parses "key=value,key=value"; throws nicsim::Error naming the bad key or value
// ("traffic spec: bad value 'abc' for 'flows': expected an integer from 1 to 16777216").
// The result is validated as by validate_traffic_spec.
TrafficSpec parse_traffic_spec(std::string_view text);

// The text form of every key, in a stable order; parse_traffic_spec(format(spec)) == spec.
std::string format_traffic_spec(const TrafficSpec& spec);

// Checks the combination of fields (sizes large enough for the requested headers, enough
// distinct 5-tuples for the flows, ...); throws nicsim::Error naming the key at fault.
void validate_traffic_spec(const TrafficSpec& spec);

}  // namespace nicsim::traffic
