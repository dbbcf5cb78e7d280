/* An IPv4 router. The longest prefix match of the destination in `routes` gives the next
 * hop: the egress interface and the MAC addresses to write. The router decrements the TTL
 * (patching the header checksum incrementally, RFC 1624), rewrites both MAC addresses and
 * sends the frame out: XDP_TX when the egress is the ingress port, otherwise a redirect
 * through the `tx_ports` devmap. Everything the fast path does not handle goes to the
 * stack (XDP_PASS): other EtherTypes, TTL <= 1 (the stack sends ICMP time exceeded), no
 * route, or an egress port missing from `tx_ports`. Malformed IPv4 is dropped. */
#include "common/checksum.h"
#include "common/parsing.h"

struct route_key {
  __u32 prefixlen; /* LPM trie keys start with the prefix length */
  __be32 address;
};

struct next_hop {
  __u32 ifindex;
  __u8 dmac[ETH_ALEN]; /* the neighbour's address */
  __u8 smac[ETH_ALEN]; /* the egress port's address */
};

struct {
  __uint(type, BPF_MAP_TYPE_LPM_TRIE);
  __type(key, struct route_key);
  __type(value, struct next_hop);
  __uint(max_entries, 1024);
  __uint(map_flags, BPF_F_NO_PREALLOC);
} routes SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_DEVMAP);
  __type(key, __u32);
  __type(value, __u32);
  __uint(max_entries, 64);
} tx_ports SEC(".maps");

SEC("xdp")
int xdp_router_ipv4(struct xdp_md* ctx) {
  void* data = (void*)(long)ctx->data;
  void* data_end = (void*)(long)ctx->data_end;
  struct route_key key = {.prefixlen = 32};
  struct next_hop* hop;
  struct ethhdr* eth;
  struct iphdr* ip;
  int to_ingress;

  switch (parse_ipv4(data, data_end, &eth, &ip)) {
    case PARSE_OK:
      break;
    case PARSE_NOT_IPV4:
      return XDP_PASS;
    default:
      return XDP_DROP;
  }
  if (ip->ttl <= 1) return XDP_PASS;

  key.address = ip->daddr;
  hop = bpf_map_lookup_elem(&routes, &key);
  if (!hop) return XDP_PASS;
  /* Check the egress before touching the packet, so that the stack gets it intact. */
  to_ingress = hop->ifindex == ctx->ingress_ifindex;
  if (!to_ingress && !bpf_map_lookup_elem(&tx_ports, &hop->ifindex)) return XDP_PASS;

  ipv4_decrement_ttl(ip);
  copy_mac(eth->h_dest, hop->dmac);
  copy_mac(eth->h_source, hop->smac);
  if (to_ingress) return XDP_TX;
  return bpf_redirect_map(&tx_ports, hop->ifindex, XDP_PASS);
}

char _license[] SEC("license") = "GPL";
