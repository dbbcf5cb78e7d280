#include "testbench/traffic/generator.h"

#include <algorithm>
#include <unordered_set>

#include "ebpf/util/error.h"
#include "testbench/traffic/imix.h"

namespace nicsim::traffic {

namespace {

// Distinct stream constants, so that flow choice and per-packet draws are independent:
// asking for more packets never changes the flows.
constexpr uint64_t kFlowStream = 0x666c6f7773ULL;      // "flows"
constexpr uint64_t kPacketStream = 0x7061636b6574ULL;  // "packet"

uint64_t saturating_multiply(uint64_t a, uint64_t b) {
  if (a != 0 && b > UINT64_MAX / a) return UINT64_MAX;
  return a * b;
}

uint64_t prefix_size(const IpPrefix& prefix) {
  return prefix.host_bits() >= 63 ? (uint64_t{1} << 63) : uint64_t{1} << prefix.host_bits();
}

uint64_t port_count(const PortRange& range) {
  return uint64_t{range.last} - range.first + 1;
}

// Floyd's sampling: `count` distinct values below `bound`, in a deterministic order.
std::vector<uint64_t> distinct_indices(Prng& random, uint64_t count, uint64_t bound) {
  std::vector<uint64_t> chosen;
  std::unordered_set<uint64_t> seen;
  chosen.reserve(count);
  for (uint64_t j = bound - count; j < bound; ++j) {
    uint64_t candidate = random.below(j + 1);
    if (!seen.insert(candidate).second) {
      candidate = j;
      seen.insert(j);
    }
    chosen.push_back(candidate);
  }
  return chosen;
}

}  // namespace

TrafficGenerator::TrafficGenerator(const TrafficSpec& spec)
    : spec_(spec), packet_random_(spec.seed ^ kPacketStream) {
  validate_traffic_spec(spec_);
  choose_flows();
}

void TrafficGenerator::choose_flows() {
  Prng random(spec_.seed ^ kFlowStream);
  const uint64_t source_ports = port_count(spec_.source_ports);
  const uint64_t destination_ports = port_count(spec_.destination_ports);
  // One index space serves both IP versions: it is as large as the smaller family's.
  uint64_t sources = UINT64_MAX;
  uint64_t destinations = UINT64_MAX;
  if (spec_.ip != IpVersionMix::V6) {
    sources = std::min(sources, prefix_size(spec_.source4));
    destinations = std::min(destinations, prefix_size(spec_.destination4));
  }
  if (spec_.ip != IpVersionMix::V4) {
    sources = std::min(sources, prefix_size(spec_.source6));
    destinations = std::min(destinations, prefix_size(spec_.destination6));
  }
  const uint64_t capacity =
      saturating_multiply(saturating_multiply(source_ports, destination_ports),
                          saturating_multiply(sources, destinations));

  for (uint64_t index : distinct_indices(random, spec_.flows, capacity)) {
    Flow flow;
    FlowTuple& tuple = flow.tuple;
    tuple.version = spec_.ip == IpVersionMix::V4   ? IpVersion::V4
                    : spec_.ip == IpVersionMix::V6 ? IpVersion::V6
                    : (random.next() & 1)          ? IpVersion::V6
                                                   : IpVersion::V4;
    tuple.protocol = spec_.transport == TransportMix::Udp   ? kIpProtocolUdp
                     : spec_.transport == TransportMix::Tcp ? kIpProtocolTcp
                     : (random.next() & 1)                  ? kIpProtocolTcp
                                                            : kIpProtocolUdp;
    // Mixed-radix decoding keeps distinct indices distinct tuples.
    tuple.source_port = static_cast<uint16_t>(spec_.source_ports.first + index % source_ports);
    index /= source_ports;
    tuple.destination_port =
        static_cast<uint16_t>(spec_.destination_ports.first + index % destination_ports);
    index /= destination_ports;
    const bool v4 = tuple.version == IpVersion::V4;
    tuple.source = address_in_prefix(v4 ? spec_.source4 : spec_.source6, index % sources);
    index /= sources;
    tuple.destination =
        address_in_prefix(v4 ? spec_.destination4 : spec_.destination6, index % destinations);

    flow.rx_queue = static_cast<uint32_t>(flows_.size() % spec_.rx_queues);
    flow.ipv6_flow_label = static_cast<uint32_t>(random.next() & 0xfffff);
    flow.next_ipv4_id = static_cast<uint16_t>(random.next());
    flow.next_tcp_sequence = static_cast<uint32_t>(random.next());
    flows_.push_back(flow);
  }
}

uint32_t TrafficGenerator::next_frame_size(const FlowTuple& tuple) {
  switch (spec_.size) {
    case SizeDistribution::Fixed:
      return spec_.size_min;
    case SizeDistribution::Uniform:
      return spec_.size_min +
             static_cast<uint32_t>(packet_random_.below(spec_.size_max - spec_.size_min + 1));
    case SizeDistribution::Imix:
      break;
  }
  uint32_t total_weight = 0;
  for (uint32_t weight : kImixWeights)
    total_weight += weight;
  uint64_t draw = packet_random_.below(total_weight);
  size_t size_class = 0;
  while (draw >= kImixWeights[size_class])
    draw -= kImixWeights[size_class++];
  // The small class is "the smallest frame": IPv6 and TCP headers make it longer than 60.
  return std::max(kImixSizes[size_class], header_length(tuple.version, tuple.protocol));
}

Packet TrafficGenerator::next() {
  if (done()) throw Error("traffic generator: all packets were already produced");
  const uint64_t index = produced_++;
  Flow& flow = flows_[spec_.order == FlowOrder::RoundRobin ? index % flows_.size()
                                                           : packet_random_.below(flows_.size())];
  FrameFields fields;
  fields.destination_mac = spec_.destination_mac;
  fields.source_mac = spec_.source_mac;
  fields.flow = flow.tuple;
  fields.frame_size = next_frame_size(flow.tuple);
  fields.ttl = spec_.ttl;
  fields.ipv4_id = flow.next_ipv4_id++;
  fields.ipv6_flow_label = flow.ipv6_flow_label;
  fields.payload_seed = spec_.seed ^ (index * 0x2545f4914f6cdd1dULL);
  if (flow.tuple.protocol == kIpProtocolTcp) {
    // A connection as a capture would show it: SYN first, then data segments.
    const bool first = flow.packets_sent == 0;
    fields.tcp_flags = first ? kTcpSyn : kTcpAck | kTcpPsh;
    fields.tcp_sequence = flow.next_tcp_sequence;
    fields.tcp_acknowledgement = first ? 0 : 1;
    flow.next_tcp_sequence +=
        first ? 1 : fields.frame_size - header_length(flow.tuple.version, flow.tuple.protocol);
  }
  ++flow.packets_sent;

  Packet packet;
  packet.bytes = build_frame(fields);
  packet.timestamp_ns = static_cast<uint64_t>(static_cast<unsigned __int128>(index) *
                                              1'000'000'000u / spec_.rate_pps);
  packet.ingress_ifindex = spec_.ingress_ifindex;
  packet.rx_queue_index = flow.rx_queue;
  return packet;
}

std::vector<Packet> generate_traffic(const TrafficSpec& spec) {
  TrafficGenerator generator(spec);
  std::vector<Packet> packets;
  // Reserve for ordinary runs only; a huge spec grows as it goes (or fails cleanly).
  packets.reserve(std::min<uint64_t>(spec.packets, 1u << 20));
  while (!generator.done())
    packets.push_back(generator.next());
  return packets;
}

}  // namespace nicsim::traffic
