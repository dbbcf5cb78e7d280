/* An IP-in-IP tunnel ingress. IPv4 packets whose destination /24 network has an entry in
 * `tunnels` are encapsulated (RFC 2003) towards that tunnel's remote endpoint and sent back
 * out (XDP_TX) with the MAC addresses of the entry. Other IPv4 destinations and other
 * EtherTypes pass to the stack; malformed IPv4 is dropped. */
#include "common/ipip.h"

#define TUNNEL_PREFIX_MASK 0xffffff00 /* tunnels are chosen per destination /24 */

struct tunnel {
  __be32 local;  /* outer source address */
  __be32 remote; /* outer destination: the tunnel endpoint */
  __u8 smac[ETH_ALEN];
  __u8 dmac[ETH_ALEN]; /* the next hop towards the endpoint */
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __type(key, __be32); /* destination network, host bits zero */
  __type(value, struct tunnel);
  __uint(max_entries, 1024);
} tunnels SEC(".maps");

SEC("xdp")
int xdp_tunnel_ipip(struct xdp_md* ctx) {
  void* data = (void*)(long)ctx->data;
  void* data_end = (void*)(long)ctx->data_end;
  struct tunnel* tunnel;
  struct ethhdr* eth;
  struct iphdr* ip;
  __be32 network;

  switch (parse_ipv4(data, data_end, &eth, &ip)) {
    case PARSE_OK:
      break;
    case PARSE_NOT_IPV4:
      return XDP_PASS;
    default:
      return XDP_DROP;
  }
  network = ip->daddr & bpf_htonl(TUNNEL_PREFIX_MASK);
  tunnel = bpf_map_lookup_elem(&tunnels, &network);
  if (!tunnel) return XDP_PASS;
  return ipip_encapsulate(ctx, tunnel->local, tunnel->remote, tunnel->smac, tunnel->dmac);
}

char _license[] SEC("license") = "GPL";
