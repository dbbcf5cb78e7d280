#include "testbench/traffic/traffic_spec.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "ebpf/util/error.h"
#include "testbench/traffic/frame_builder.h"
#include "testbench/traffic/imix.h"

namespace nicsim::traffic {

namespace {

constexpr uint64_t kMaxFlows = 1u << 20;
constexpr uint64_t kMaxPackets = 1'000'000'000;
constexpr uint64_t kMaxRate = 1'000'000'000'000;  // 1 packet per picosecond is plenty

[[noreturn]] void bad_value(std::string_view key, std::string_view value,
                            std::string_view expected) {
  throw Error(
      fmt::format("traffic spec: bad value '{}' for '{}': expected {}", value, key, expected));
}

// An unsigned integer, optionally scaled by a k/M/G suffix (powers of 1000).
std::optional<uint64_t> parse_count(std::string_view text, bool allow_suffix) {
  uint64_t scale = 1;
  if (allow_suffix && !text.empty()) {
    switch (text.back()) {
      case 'k':
        scale = 1'000;
        break;
      case 'M':
        scale = 1'000'000;
        break;
      case 'G':
        scale = 1'000'000'000;
        break;
      default:
        break;
    }
    if (scale != 1) text.remove_suffix(1);
  }
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (value > UINT64_MAX / scale) return std::nullopt;
  return value * scale;
}

uint64_t parse_bounded(std::string_view key, std::string_view value, uint64_t min, uint64_t max,
                       bool allow_suffix = false) {
  std::optional<uint64_t> number = parse_count(value, allow_suffix);
  if (!number || *number < min || *number > max) {
    bad_value(key, value,
              fmt::format("an integer from {} to {}{}", min, max,
                          allow_suffix ? " (k/M/G suffixes allowed)" : ""));
  }
  return *number;
}

PortRange parse_ports(std::string_view key, std::string_view value) {
  const std::string_view expected = "a port or a range such as 1024-65535";
  size_t dash = value.find('-');
  std::optional<uint64_t> first = parse_count(value.substr(0, dash), false);
  std::optional<uint64_t> last =
      dash == std::string_view::npos ? first : parse_count(value.substr(dash + 1), false);
  if (!first || !last || *first > *last || *last > 65535) bad_value(key, value, expected);
  return {static_cast<uint16_t>(*first), static_cast<uint16_t>(*last)};
}

void parse_size(TrafficSpec& spec, std::string_view value) {
  const std::string_view expected = "a frame size, a range such as 64-1500, or imix";
  if (value == "imix") {
    spec.size = SizeDistribution::Imix;
    spec.size_min = kImixSizes.front();
    spec.size_max = kImixSizes.back();
    return;
  }
  size_t dash = value.find('-');
  std::optional<uint64_t> first = parse_count(value.substr(0, dash), false);
  std::optional<uint64_t> last =
      dash == std::string_view::npos ? first : parse_count(value.substr(dash + 1), false);
  if (!first || !last || *first > *last || *last > kMaxFrameSize)
    bad_value("size", value, expected);
  spec.size = dash == std::string_view::npos ? SizeDistribution::Fixed : SizeDistribution::Uniform;
  spec.size_min = static_cast<uint32_t>(*first);
  spec.size_max = static_cast<uint32_t>(*last);
}

IpPrefix parse_prefix(std::string_view key, std::string_view value, IpVersion version) {
  const char* expected = version == IpVersion::V4 ? "an IPv4 prefix such as 10.0.0.0/8"
                                                  : "an IPv6 prefix such as fd00:a::/64";
  IpPrefix prefix;
  try {
    prefix = parse_ip_prefix(value);
  } catch (const Error& error) {
    bad_value(key, value, fmt::format("{} ({})", expected, error.what()));
  }
  if (prefix.version != version) bad_value(key, value, expected);
  return prefix;
}

template <typename Enum>
Enum parse_choice(std::string_view key, std::string_view value,
                  const std::vector<std::pair<std::string_view, Enum>>& choices) {
  for (const auto& [name, choice] : choices) {
    if (value == name) return choice;
  }
  std::string names;
  for (const auto& [name, choice] : choices) {
    if (!names.empty()) names += '|';
    names += name;
  }
  bad_value(key, value, names);
}

const std::vector<std::pair<std::string_view, IpVersionMix>> kIpChoices = {
    {"4", IpVersionMix::V4}, {"6", IpVersionMix::V6}, {"mix", IpVersionMix::Mix}};
const std::vector<std::pair<std::string_view, TransportMix>> kTransportChoices = {
    {"udp", TransportMix::Udp}, {"tcp", TransportMix::Tcp}, {"mix", TransportMix::Mix}};
const std::vector<std::pair<std::string_view, FlowOrder>> kOrderChoices = {
    {"rr", FlowOrder::RoundRobin}, {"random", FlowOrder::Random}};

template <typename Enum>
std::string_view choice_name(Enum value,
                             const std::vector<std::pair<std::string_view, Enum>>& choices) {
  for (const auto& [name, choice] : choices) {
    if (choice == value) return name;
  }
  return "?";
}

using Setter = std::function<void(TrafficSpec&, std::string_view)>;

const std::map<std::string_view, Setter>& setters() {
  static const std::map<std::string_view, Setter> table = {
      {"ip", [](TrafficSpec& s, std::string_view v) { s.ip = parse_choice("ip", v, kIpChoices); }},
      {"proto",
       [](TrafficSpec& s, std::string_view v) {
         s.transport = parse_choice("proto", v, kTransportChoices);
       }},
      {"size", parse_size},
      {"flows",
       [](TrafficSpec& s, std::string_view v) {
         s.flows = static_cast<uint32_t>(parse_bounded("flows", v, 1, kMaxFlows, true));
       }},
      {"packets",
       [](TrafficSpec& s, std::string_view v) {
         s.packets = parse_bounded("packets", v, 1, kMaxPackets, true);
       }},
      {"seed", [](TrafficSpec& s,
                  std::string_view v) { s.seed = parse_bounded("seed", v, 0, UINT64_MAX); }},
      {"rate",
       [](TrafficSpec& s, std::string_view v) {
         s.rate_pps = parse_bounded("rate", v, 1, kMaxRate, true);
       }},
      {"order", [](TrafficSpec& s,
                   std::string_view v) { s.order = parse_choice("order", v, kOrderChoices); }},
      {"src", [](TrafficSpec& s,
                 std::string_view v) { s.source4 = parse_prefix("src", v, IpVersion::V4); }},
      {"dst", [](TrafficSpec& s,
                 std::string_view v) { s.destination4 = parse_prefix("dst", v, IpVersion::V4); }},
      {"src6", [](TrafficSpec& s,
                  std::string_view v) { s.source6 = parse_prefix("src6", v, IpVersion::V6); }},
      {"dst6", [](TrafficSpec& s,
                  std::string_view v) { s.destination6 = parse_prefix("dst6", v, IpVersion::V6); }},
      {"sport",
       [](TrafficSpec& s, std::string_view v) { s.source_ports = parse_ports("sport", v); }},
      {"dport",
       [](TrafficSpec& s, std::string_view v) { s.destination_ports = parse_ports("dport", v); }},
      {"smac",
       [](TrafficSpec& s, std::string_view v) {
         try {
           s.source_mac = parse_mac(v);
         } catch (const Error&) {
           bad_value("smac", v, "a MAC address such as 02:00:00:00:00:01");
         }
       }},
      {"dmac",
       [](TrafficSpec& s, std::string_view v) {
         try {
           s.destination_mac = parse_mac(v);
         } catch (const Error&) {
           bad_value("dmac", v, "a MAC address such as 02:00:00:00:00:02");
         }
       }},
      {"ttl",
       [](TrafficSpec& s, std::string_view v) {
         s.ttl = static_cast<uint8_t>(parse_bounded("ttl", v, 0, 255));
       }},
      {"ifindex",
       [](TrafficSpec& s, std::string_view v) {
         s.ingress_ifindex = static_cast<uint32_t>(parse_bounded("ifindex", v, 1, UINT32_MAX));
       }},
      {"queues",
       [](TrafficSpec& s, std::string_view v) {
         s.rx_queues = static_cast<uint32_t>(parse_bounded("queues", v, 1, 1024));
       }},
  };
  return table;
}

std::string known_keys() {
  std::string keys;
  for (const auto& [key, setter] : setters()) {
    if (!keys.empty()) keys += ", ";
    keys += key;
  }
  return keys;
}

// Saturating product, so that huge address ranges do not overflow the capacity check.
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

}  // namespace

TrafficSpec parse_traffic_spec(std::string_view text) {
  TrafficSpec spec;
  std::set<std::string_view> seen;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string_view item =
        text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
    start = comma == std::string_view::npos ? text.size() + 1 : comma + 1;
    if (item.empty()) {
      if (text.empty()) break;
      throw Error(fmt::format("traffic spec: empty item in '{}'", text));
    }
    size_t equals = item.find('=');
    if (equals == std::string_view::npos) {
      throw Error(fmt::format("traffic spec: '{}' is not key=value", item));
    }
    std::string_view key = item.substr(0, equals);
    std::string_view value = item.substr(equals + 1);
    auto setter = setters().find(key);
    if (setter == setters().end()) {
      throw Error(fmt::format("traffic spec: unknown key '{}' (known: {})", key, known_keys()));
    }
    if (!seen.insert(key).second) {
      throw Error(fmt::format("traffic spec: key '{}' given twice", key));
    }
    setter->second(spec, value);
  }
  validate_traffic_spec(spec);
  return spec;
}

std::string format_traffic_spec(const TrafficSpec& spec) {
  std::string size;
  switch (spec.size) {
    case SizeDistribution::Fixed:
      size = fmt::format("{}", spec.size_min);
      break;
    case SizeDistribution::Uniform:
      size = fmt::format("{}-{}", spec.size_min, spec.size_max);
      break;
    case SizeDistribution::Imix:
      size = "imix";
      break;
  }
  auto ports = [](const PortRange& range) {
    return range.first == range.last ? fmt::format("{}", range.first)
                                     : fmt::format("{}-{}", range.first, range.last);
  };
  return fmt::format(
      "ip={},proto={},size={},flows={},packets={},seed={},rate={},order={},src={},dst={},"
      "src6={},dst6={},sport={},dport={},smac={},dmac={},ttl={},ifindex={},queues={}",
      choice_name(spec.ip, kIpChoices), choice_name(spec.transport, kTransportChoices), size,
      spec.flows, spec.packets, spec.seed, spec.rate_pps, choice_name(spec.order, kOrderChoices),
      format_ip_prefix(spec.source4), format_ip_prefix(spec.destination4),
      format_ip_prefix(spec.source6), format_ip_prefix(spec.destination6), ports(spec.source_ports),
      ports(spec.destination_ports), format_mac(spec.source_mac), format_mac(spec.destination_mac),
      spec.ttl, spec.ingress_ifindex, spec.rx_queues);
}

void validate_traffic_spec(const TrafficSpec& spec) {
  std::vector<IpVersion> versions;
  if (spec.ip != IpVersionMix::V6) versions.push_back(IpVersion::V4);
  if (spec.ip != IpVersionMix::V4) versions.push_back(IpVersion::V6);
  std::vector<uint8_t> protocols;
  if (spec.transport != TransportMix::Tcp) protocols.push_back(kIpProtocolUdp);
  if (spec.transport != TransportMix::Udp) protocols.push_back(kIpProtocolTcp);

  if (spec.size_min > spec.size_max || spec.size_max > kMaxFrameSize ||
      (spec.size == SizeDistribution::Fixed && spec.size_min != spec.size_max)) {
    throw Error(fmt::format("traffic spec: bad size range {}-{} (at most {})", spec.size_min,
                            spec.size_max, kMaxFrameSize));
  }
  if (spec.size != SizeDistribution::Imix) {
    for (IpVersion version : versions) {
      for (uint8_t protocol : protocols) {
        uint32_t needed = std::max(kMinFrameSize, header_length(version, protocol));
        if (spec.size_min < needed) {
          throw Error(fmt::format(
              "traffic spec: size={} is too small for IPv{}/{} frames, which need at least {} "
              "bytes (Ethernet header included, FCS excluded)",
              spec.size_min, static_cast<int>(version), protocol == kIpProtocolTcp ? "TCP" : "UDP",
              needed));
        }
      }
    }
  }
  if (spec.flows == 0 || spec.flows > kMaxFlows) {
    throw Error(fmt::format("traffic spec: flows={} is outside 1..{}", spec.flows, kMaxFlows));
  }
  if (spec.packets == 0 || spec.packets > kMaxPackets) {
    throw Error(
        fmt::format("traffic spec: packets={} is outside 1..{}", spec.packets, kMaxPackets));
  }
  if (spec.rate_pps == 0 || spec.rate_pps > kMaxRate) {
    throw Error(fmt::format("traffic spec: rate={} is outside 1..{}", spec.rate_pps, kMaxRate));
  }
  if (spec.rx_queues == 0) throw Error("traffic spec: queues must be at least 1");
  if (spec.ingress_ifindex == 0) throw Error("traffic spec: ifindex must be at least 1");
  const uint64_t ports =
      saturating_multiply(port_count(spec.source_ports), port_count(spec.destination_ports));
  for (IpVersion version : versions) {
    const IpPrefix& source = version == IpVersion::V4 ? spec.source4 : spec.source6;
    const IpPrefix& destination = version == IpVersion::V4 ? spec.destination4 : spec.destination6;
    uint64_t capacity = saturating_multiply(
        saturating_multiply(prefix_size(source), prefix_size(destination)), ports);
    if (spec.flows > capacity) {
      throw Error(
          fmt::format("traffic spec: flows={} exceeds the {} distinct IPv{} 5-tuples that "
                      "{}={}, {}={}, sport and dport allow",
                      spec.flows, capacity, static_cast<int>(version),
                      version == IpVersion::V4 ? "src" : "src6", format_ip_prefix(source),
                      version == IpVersion::V4 ? "dst" : "dst6", format_ip_prefix(destination)));
    }
  }
}

}  // namespace nicsim::traffic
