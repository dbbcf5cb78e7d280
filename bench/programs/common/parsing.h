/* Header parsing shared by the bundled programs: every access is checked against data_end
 * first, as the kernel verifier demands. */
#ifndef NICSIM_PROGRAMS_PARSING_H
#define NICSIM_PROGRAMS_PARSING_H

/* Order matters: the UAPI types must come before the libbpf headers. */
/* clang-format off */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
/* clang-format on */

/* The flag bits of iphdr.frag_off (host order; kernel-internal, not in the UAPI headers). */
#define IPV4_DONT_FRAGMENT 0x4000
#define IPV4_MORE_FRAGMENTS 0x2000
#define IPV4_FRAGMENT_OFFSET 0x1fff

/* An IPv4 5-tuple as the flow tables key it. The explicit padding is zeroed so that equal
 * tuples hash alike. */
struct flow_key {
  __be32 saddr;
  __be32 daddr;
  __be16 sport;
  __be16 dport;
  __u8 protocol;
  __u8 pad[3];
};

struct l4_ports {
  __be16 source;
  __be16 dest;
};

/* Copies a MAC address as three 16-bit words (XDP frames and our map values keep MAC
 * addresses 2-byte aligned), where a byte-wise memcpy would take 12 instructions. */
static __always_inline void copy_mac(__u8* destination, const __u8* source) {
  __u16* to = (__u16*)destination;
  const __u16* from = (const __u16*)source;

  to[0] = from[0];
  to[1] = from[1];
  to[2] = from[2];
}

enum parse_result {
  PARSE_OK,
  PARSE_NOT_IPV4,  /* a well-formed frame of another EtherType */
  PARSE_MALFORMED, /* cut short or an impossible header */
};

/* Finds the IPv4 header of an Ethernet frame. */
static __always_inline enum parse_result parse_ipv4(void* data, void* data_end,
                                                    struct ethhdr** eth_out,
                                                    struct iphdr** ip_out) {
  struct ethhdr* eth = data;
  struct iphdr* ip;

  if ((void*)(eth + 1) > data_end) return PARSE_MALFORMED;
  if (eth->h_proto != bpf_htons(ETH_P_IP)) return PARSE_NOT_IPV4;
  ip = (void*)(eth + 1);
  if ((void*)(ip + 1) > data_end || ip->ihl < 5) return PARSE_MALFORMED;
  *eth_out = eth;
  *ip_out = ip;
  return PARSE_OK;
}

static __always_inline int is_fragment(const struct iphdr* ip) {
  return (ip->frag_off & bpf_htons(IPV4_MORE_FRAGMENTS | IPV4_FRAGMENT_OFFSET)) != 0;
}

/* Fills `key` from the IPv4 header and, for TCP and UDP, the ports that follow its options.
 * Non-first fragments carry no ports: they key with ports 0, like other protocols.
 * Returns -1 when the transport header is cut short. */
static __always_inline int flow_key_from_ipv4(struct iphdr* ip, void* data_end,
                                              struct flow_key* key) {
  struct l4_ports* ports;

  key->saddr = ip->saddr;
  key->daddr = ip->daddr;
  key->protocol = ip->protocol;
  key->sport = 0;
  key->dport = 0;
  if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP) return 0;
  if (ip->frag_off & bpf_htons(IPV4_FRAGMENT_OFFSET)) return 0;
  ports = (void*)ip + ip->ihl * 4;
  if ((void*)(ports + 1) > data_end) return -1;
  key->sport = ports->source;
  key->dport = ports->dest;
  return 0;
}

#endif
