#pragma once
// The XDP programs the differential tests run (the suite's programs with their map contents,
// two of them also with empty maps) and the traffic they run on: generated flows plus
// hand-made corner cases.

#include <functional>
#include <string>
#include <vector>

#include "model/suite/program_suite.h"
#include "model/test/differential.h"
#include "testbench/traffic/frame_builder.h"
#include "testbench/traffic/generator.h"

namespace nicsim::model::test {

inline const std::string kSamples = std::string(NICSIM_TESTDATA_DIR) + "/ebpf-samples/linux";

inline std::vector<TestPacket> generated(const std::string& spec_text) {
  return traffic::generate_traffic(traffic::parse_traffic_spec(spec_text));
}

// Frames that probe the edges: every truncation of a real IPv4/UDP frame's headers, VLAN and
// QinQ tags, ARP, an IPv4 packet with options, a big packet, and IPv6.
inline std::vector<TestPacket> corner_cases() {
  std::vector<TestPacket> out;
  const auto base =
      generated("ip=4,proto=udp,size=98,flows=1,packets=1,dst=192.168.0.3/32")[0].bytes;
  for (size_t n : {0, 1, 13, 14, 15, 17, 18, 22, 33, 34, 37, 41, 42, 54})
    out.push_back({std::vector<uint8_t>(base.begin(), base.begin() + static_cast<ptrdiff_t>(n))});
  for (uint16_t tpid : {0x8100, 0x88a8}) {
    std::vector<uint8_t> tagged = base;
    const uint8_t tag[4] = {static_cast<uint8_t>(tpid >> 8), static_cast<uint8_t>(tpid), 0, 5};
    tagged.insert(tagged.begin() + 12, tag, tag + 4);
    out.push_back({tagged});
    std::vector<uint8_t> double_tagged = tagged;
    const uint8_t inner[4] = {0x81, 0x00, 0, 7};
    double_tagged.insert(double_tagged.begin() + 16, inner, inner + 4);
    out.push_back({double_tagged});
    out.push_back({std::vector<uint8_t>(tagged.begin(), tagged.begin() + 20)});
  }
  std::vector<uint8_t> arp(60, 0xab);
  arp[12] = 0x08, arp[13] = 0x06;
  out.push_back({arp});
  std::vector<uint8_t> options = base;  // IHL 6: one word of options
  options[14] = 0x46;
  out.push_back({options});
  out.push_back(
      {generated("ip=4,proto=tcp,size=1400,flows=1,packets=1,dst=192.168.0.6/32")[0].bytes});
  out.push_back({generated("ip=6,proto=udp,size=700,flows=1,packets=1")[0].bytes});
  out.push_back({.bytes = base, .ingress_ifindex = 2, .rx_queue_index = 3});  // elsewhere
  out.push_back({.bytes = base, .ingress_ifindex = 1, .rx_queue_index = 70});
  return out;
}

inline std::vector<TestPacket> traffic_for_tests() {
  std::vector<TestPacket> packets =
      generated("ip=mix,proto=mix,size=80-1100,flows=24,packets=48,dst=192.168.0.0/28,seed=7");
  const auto more = generated("ip=4,proto=mix,size=60-200,flows=8,packets=16,seed=3");
  packets.insert(packets.end(), more.begin(), more.end());
  const auto corners = corner_cases();
  packets.insert(packets.end(), corners.begin(), corners.end());
  return packets;
}

struct ProgramCase {
  std::string name;
  std::string object;
  std::string program;  // "" for the object's first program
  std::function<Populate(const std::vector<TestPacket>&)> populate;
};

// The suite's programs with their map contents, and two of them with empty maps (the paths
// where lookups fail).
inline std::vector<ProgramCase> program_cases() {
  std::vector<ProgramCase> cases;
  for (const suite::SuiteProgram& sp : suite::suite_programs(kSamples, NICSIM_PROGRAMS_DIR)) {
    const auto populate = sp.populate;
    cases.push_back({sp.name, sp.object, sp.program, [populate](const std::vector<TestPacket>& p) {
                       return Populate([populate, p](ebpf::Runtime& r) { populate(r, p); });
                     }});
    if (sp.name == "xdp_rxq_info" || sp.name == "xdp_redirect_map")
      cases.push_back({sp.name + "_empty", sp.object, sp.program,
                       [](const std::vector<TestPacket>&) { return Populate{}; }});
  }
  return cases;
}

}  // namespace nicsim::model::test
