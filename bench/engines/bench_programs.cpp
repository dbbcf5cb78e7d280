#include "bench/engines/bench_programs.h"

#include <filesystem>

namespace nicsim::bench {

std::vector<BenchProgram> bench_programs() {
  const std::string ours = NICSIM_PROGRAMS_DIR;
  const std::string samples = std::string(NICSIM_TESTDATA_DIR) + "/ebpf-samples/linux";
  // Traffic as docs/programs.md describes for each bundled program; 64-byte frames.
  std::vector<BenchProgram> all = {
      {"empty", "", "proto=udp,size=64,flows=16,packets=1024"},
      {"xdp_drop", ours + "/xdp_drop.o", "proto=udp,size=64,flows=16,packets=1024"},
      {"xdp_tx", ours + "/xdp_tx.o", "proto=udp,size=64,flows=16,packets=1024"},
      {"xdp_firewall", ours + "/xdp_firewall.o", "proto=udp,size=64,flows=16,packets=1024"},
      {"xdp_router_ipv4", ours + "/xdp_router_ipv4.o",
       "dst=192.168.0.0/23,proto=mix,size=64,flows=256,packets=1024"},
      {"xdp_tunnel_ipip", ours + "/xdp_tunnel_ipip.o",
       "dst=192.168.0.0/23,proto=mix,size=64,flows=256,packets=1024"},
      {"xdp_load_balancer", ours + "/xdp_load_balancer.o",
       "dst=10.100.0.1,dport=80,proto=tcp,size=64,flows=1000,packets=1024"},
  };
  for (const char* sample : {"xdp1_kern", "xdp2_kern", "xdp_adjust_tail_kern",
                             "xdp_router_ipv4_kern", "xdp_rxq_info_kern",
                             "xdp_tx_iptunnel_kern", "xdp_redirect_map_kern"}) {
    all.push_back({std::string("linux/") + sample, samples + "/" + sample + ".o",
                   "ip=4,proto=mix,size=64,flows=64,packets=1024"});
  }
  std::erase_if(all, [](const BenchProgram& p) {
    return !p.object.empty() && !std::filesystem::exists(p.object);
  });
  return all;
}

}  // namespace nicsim::bench
