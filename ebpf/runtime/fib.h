#pragma once
// The forwarding table bpf_fib_lookup consults: routes with longest-prefix match and the
// neighbour (MAC) information the kernel would resolve. Loaded from a JSON file:
//   {"routes": [{"prefix": "10.1.0.0/16", "ifindex": 2, "gateway": "10.1.0.1",
//                "smac": "02:00:00:00:00:01", "dmac": "02:00:00:00:00:02", "mtu": 1500}]}
// IPv6 prefixes use the same fields. A route without "dmac" has no resolved neighbour.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nicsim::ebpf {

struct FibRoute {
  int family = 4;  // 4 or 6
  std::array<uint8_t, 16> prefix{};
  uint32_t prefix_length = 0;
  uint32_t ifindex = 0;
  std::optional<std::array<uint8_t, 16>> gateway;
  std::array<uint8_t, 6> smac{};
  std::optional<std::array<uint8_t, 6>> dmac;
  uint16_t mtu = 1500;
};

class Fib {
 public:
  void add_route(const FibRoute& route);
  // Throws nicsim::Error naming the file and the offending entry.
  void load_json_file(const std::string& path);
  // Longest-prefix match of a 4- or 16-byte address; nullptr when no route covers it.
  const FibRoute* lookup(int family, const uint8_t* address) const;
  const std::vector<FibRoute>& routes() const { return routes_; }

 private:
  std::vector<FibRoute> routes_;
};

}  // namespace nicsim::ebpf
