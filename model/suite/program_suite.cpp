#include "model/suite/program_suite.h"

#include <fmt/format.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "ebpf/runtime/map_json.h"
#include "ebpf/util/error.h"

namespace nicsim::model::suite {

namespace {

using Packets = std::vector<traffic::Packet>;

std::vector<uint8_t> u32(uint32_t v) {
  std::vector<uint8_t> b(4);
  std::memcpy(b.data(), &v, 4);
  return b;
}

// xdp_router_ipv4: 192.168.0.{0,3,...,15} are direct neighbours on interface 2; the rest of
// 192.168.0.0/24 is routed via 10.0.0.1 on interface 3, whose MAC the ARP table knows.
void populate_router(ebpf::Runtime& runtime, const Packets&) {
  for (uint8_t host = 0; host < 16; host += 3) {
    std::vector<uint8_t> value(32, 0);
    for (int i = 0; i < 6; ++i) {
      value[i] = static_cast<uint8_t>(0xa0 + i);
      value[6 + i] = 0xb0;
    }
    std::memcpy(value.data() + 16, u32(2).data(), 4);
    value[24] = 0x02;
    value[25] = 0x11;
    value[26] = host;
    update_map(runtime, "exact_match", {192, 168, 0, host}, value);
  }
  const std::vector<uint8_t> key = {24, 0, 0, 0, 192, 168, 0, 0};  // /24, address in network order
  std::vector<uint8_t> route(32, 0);
  std::memcpy(route.data() + 16, u32(3).data(), 4);
  route[24] = 10;
  route[27] = 1;
  update_map(runtime, "lpm_map", key, route);
  update_map(runtime, "arp_table", {10, 0, 0, 1}, {0x02, 0x22, 0x33, 0x44, 0x55, 0x66, 0, 0});
  update_map(runtime, "tx_port", u32(2), u32(2));
  update_map(runtime, "tx_port", u32(3), u32(3));
}

// xdp_rxq_info: XDP_TX on interface 1, reading the packet and swapping its MACs.
void populate_rxq_info(ebpf::Runtime& runtime, const Packets&) {
  // struct config: action XDP_TX (3), ifindex 1, options READ_MEM | SWAP_MAC (3)
  const std::vector<uint8_t> config = {3, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0};
  update_map(runtime, "config_map", u32(0), config);
}

void populate_redirect_map(ebpf::Runtime& runtime, const Packets&) {
  update_map(runtime, "tx_port", u32(0), u32(5));
}

// xdp_tx_iptunnel: a tunnel for the destination (address, port, protocol) of the first flows.
void populate_iptunnel(ebpf::Runtime& runtime, const Packets& packets) {
  size_t added = 0;
  for (const traffic::Packet& p : packets) {
    const auto& f = p.bytes;
    if (f.size() < 58 || added >= 12) continue;
    std::vector<uint8_t> key(24, 0), value(40, 0);
    const uint16_t ethertype = static_cast<uint16_t>(f[12] << 8 | f[13]);
    if (ethertype == 0x0800) {
      const size_t l4 = 14 + 4 * (f[14] & 0xf);
      std::memcpy(key.data(), &f[30], 4);
      key[16] = f[l4 + 2];
      key[17] = f[l4 + 3];
      key[18] = 2;  // AF_INET
      key[20] = f[23];
      value[0] = 172, value[1] = 16, value[3] = 1;
      value[16] = 172, value[17] = 16, value[18] = 1, value[19] = 1;
      value[32] = 2;
    } else if (ethertype == 0x86dd) {
      std::memcpy(key.data(), &f[38], 16);
      key[16] = f[56];
      key[17] = f[57];
      key[18] = 10;  // AF_INET6
      key[20] = f[20];
      value[0] = 0xfd, value[15] = 1;
      value[16] = 0xfd, value[31] = 2;
      value[32] = 10;
    } else {
      continue;
    }
    for (int i = 0; i < 6; ++i)
      value[34 + i] = static_cast<uint8_t>(0x10 + i);
    update_map(runtime, "vip2tnl", key, value);
    ++added;
  }
}

std::function<void(ebpf::Runtime&, const Packets&)> from_json(const std::string& path) {
  return [path](ebpf::Runtime& runtime, const Packets&) {
    std::ifstream in(path);
    if (!in) throw Error(fmt::format("{}: cannot open", path));
    ebpf::load_map_contents(runtime, nlohmann::json::parse(in), path);
  };
}

void nothing(ebpf::Runtime&, const Packets&) {}

}  // namespace

void update_map(ebpf::Runtime& runtime, const std::string& name, const std::vector<uint8_t>& key,
                const std::vector<uint8_t>& value) {
  const int index = runtime.object().find_map(name);
  if (index < 0) throw Error(fmt::format("no map '{}'", name));
  ebpf::Map& map = runtime.map(static_cast<size_t>(index));
  if (key.size() != map.def().key_size || value.size() != map.def().value_size ||
      map.host_update(key.data(), value.data(), ebpf::kMapUpdateAny) != 0)
    throw Error(fmt::format("map '{}' refused an entry", name));
}

std::vector<SuiteProgram> suite_programs(const std::string& samples, const std::string& bundled) {
  const std::string udp64 = "ip=4,proto=udp,size=64,flows=64,packets=512,dst=192.168.0.0/28";
  std::vector<SuiteProgram> programs = {
      {"xdp_drop", bundled + "/xdp_drop.o", "", udp64, nothing, HxdpReference{52, 3.0, 0}},
      {"xdp_tx", bundled + "/xdp_tx.o", "", udp64, nothing, HxdpReference{22.5, 6.9, 0}},
      {"xdp_firewall", bundled + "/xdp_firewall.o", "",
       "ip=4,proto=mix,size=64,flows=64,packets=512,src=10.0.0.0/8", nothing,
       HxdpReference{6.53, 24, 36}},
      {"xdp_load_balancer", bundled + "/xdp_load_balancer.o", "",
       "ip=4,proto=tcp,size=64,flows=64,packets=512,dst=10.100.0.1/32,dport=80",
       from_json(bundled + "/xdp_load_balancer.maps.json"), HxdpReference{2.85, 55, 0}},
      {"xdp1", samples + "/xdp1_kern.o", "", udp64, nothing, HxdpReference{11.2, 14, 42}},
      {"xdp2", samples + "/xdp2_kern.o", "", udp64, nothing, HxdpReference{6.8, 23, 48}},
      {"xdp_router_ipv4", samples + "/xdp_router_ipv4_kern.o", "", udp64, populate_router,
       HxdpReference{3.9, 40, 58}},
      {"xdp_tx_iptunnel", samples + "/xdp_tx_iptunnel_kern.o", "",
       "ip=4,proto=udp,size=64,flows=8,packets=512,dst=192.168.0.0/28", populate_iptunnel,
       HxdpReference{2.5, 62, 0}},
      {"xdp_redirect_map", samples + "/xdp_redirect_map_kern.o", "xdp_redirect_map", udp64,
       populate_redirect_map, HxdpReference{0, 0, 14}},
      {"xdp_rxq_info", samples + "/xdp_rxq_info_kern.o", "", udp64, populate_rxq_info,
       HxdpReference{0, 0, 42}},
      {"xdp_adjust_tail", samples + "/xdp_adjust_tail_kern.o", "", udp64, nothing, std::nullopt},
      {"bundled_xdp_router_ipv4", bundled + "/xdp_router_ipv4.o", "",
       "ip=4,proto=udp,size=64,flows=64,packets=512,dst=192.168.0.0/23",
       from_json(bundled + "/xdp_router_ipv4.maps.json"), std::nullopt},
      {"bundled_xdp_tunnel_ipip", bundled + "/xdp_tunnel_ipip.o", "",
       "ip=4,proto=udp,size=64,flows=64,packets=512,dst=192.168.0.0/23",
       from_json(bundled + "/xdp_tunnel_ipip.maps.json"), std::nullopt},
  };
  return programs;
}

}  // namespace nicsim::model::suite
