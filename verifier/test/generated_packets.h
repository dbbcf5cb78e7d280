#pragma once
// Packets for running XDP programs in soundness checks.

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace nicsim::verifier::testing {

// Packets that exercise parsers: random bytes of many lengths, and well-formed
// Ethernet / VLAN / IPv4 / IPv6 / TCP / UDP / ICMP headers with random fields.
inline std::vector<std::vector<uint8_t>> generated_packets() {
  std::mt19937 rng(1234);
  std::vector<std::vector<uint8_t>> packets;
  for (size_t len : {0, 1, 13, 14, 15, 33, 34, 41, 42, 53, 54, 60, 64, 100, 128, 512, 1514}) {
    std::vector<uint8_t> p(len);
    for (auto& b : p)
      b = static_cast<uint8_t>(rng());
    packets.push_back(p);
  }
  for (int k = 0; k < 96; ++k) {
    std::vector<uint8_t> p(14 + 60 + 40 + (rng() % 64));
    for (auto& b : p)
      b = static_cast<uint8_t>(rng());
    size_t l3 = 12;
    if (k % 4 == 1) {  // 802.1Q
      p[12] = 0x81;
      p[13] = 0x00;
      l3 = 16;
    }
    const bool v6 = k % 3 == 2;
    p[l3] = v6 ? 0x86 : 0x08;
    p[l3 + 1] = v6 ? 0xdd : 0x00;
    const size_t ip = l3 + 2;
    const uint8_t protocols[] = {6, 17, 1, 58, 47};
    if (v6) {
      p[ip] = 0x60;
      p[ip + 6] = protocols[k % 5];
    } else {
      p[ip] = static_cast<uint8_t>(0x45 + (k % 7 == 0 ? 1 : 0));
      p[ip + 9] = protocols[k % 5];
      p[ip + 6] = 0;  // not a fragment
    }
    if (k % 5 == 0) p.resize(ip + 10);  // truncated headers
    packets.push_back(p);
  }
  return packets;
}

}  // namespace nicsim::verifier::testing
