/* IP-in-IP encapsulation (RFC 2003) of the IPv4 packet in an Ethernet frame: grows the
 * head by one IPv4 header, writes the new Ethernet and outer IPv4 headers and sends the
 * frame back out (XDP_TX). */
#ifndef NICSIM_PROGRAMS_IPIP_H
#define NICSIM_PROGRAMS_IPIP_H

#include "common/checksum.h"
#include "common/parsing.h"

#define IPIP_OUTER_TTL 64

/* `smac` and `dmac` must not point into the packet: adjusting the head invalidates
 * packet pointers (map values are fine). */
static __always_inline int ipip_encapsulate(struct xdp_md* ctx, __be32 saddr, __be32 daddr,
                                            const __u8* smac, const __u8* dmac) {
  void* data = (void*)(long)ctx->data;
  void* data_end = (void*)(long)ctx->data_end;
  struct iphdr* inner = data + sizeof(struct ethhdr);
  struct ethhdr* eth;
  struct iphdr* outer;
  __be16 inner_length;
  __be16 dont_fragment;
  __u8 tos;

  if ((void*)(inner + 1) > data_end) return XDP_DROP;
  tos = inner->tos;
  inner_length = inner->tot_len;
  /* RFC 2003 3.1: the outer DF bit copies the inner one. */
  dont_fragment = inner->frag_off & bpf_htons(IPV4_DONT_FRAGMENT);

  if (bpf_xdp_adjust_head(ctx, -(int)sizeof(struct iphdr))) return XDP_DROP;
  data = (void*)(long)ctx->data;
  data_end = (void*)(long)ctx->data_end;
  eth = data;
  outer = (void*)(eth + 1);
  if ((void*)(outer + 1) > data_end) return XDP_DROP;

  copy_mac(eth->h_dest, dmac);
  copy_mac(eth->h_source, smac);
  eth->h_proto = bpf_htons(ETH_P_IP);

  outer->version = 4;
  outer->ihl = sizeof(*outer) / 4;
  outer->tos = tos;
  outer->tot_len = bpf_htons(bpf_ntohs(inner_length) + sizeof(*outer));
  outer->id = 0;
  outer->frag_off = dont_fragment;
  outer->ttl = IPIP_OUTER_TTL;
  outer->protocol = IPPROTO_IPIP;
  outer->saddr = saddr;
  outer->daddr = daddr;
  ipv4_set_checksum(outer);
  return XDP_TX;
}

#endif
