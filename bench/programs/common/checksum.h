/* IPv4 header checksums: a full computation (RFC 1071) and the incremental update of
 * RFC 1624. One's-complement sums do not depend on byte order, so both work on the raw
 * 16-bit words of the packet without byte swaps. */
#ifndef NICSIM_PROGRAMS_CHECKSUM_H
#define NICSIM_PROGRAMS_CHECKSUM_H

/* Order matters: the UAPI types must come before the libbpf headers. */
/* clang-format off */
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
/* clang-format on */

static __always_inline __u16 csum_fold(__u32 sum) {
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return (__u16)~sum;
}

/* Sets ip->check for a 20-byte header (the caller checked ip + 1 against data_end). */
static __always_inline void ipv4_set_checksum(struct iphdr* ip) {
  __u16* words = (__u16*)ip;
  __u32 sum = 0;

  ip->check = 0;
#pragma clang loop unroll(full)
  for (int i = 0; i < (int)(sizeof(*ip) / 2); i++)
    sum += words[i];
  ip->check = csum_fold(sum);
}

/* Decrements the TTL and patches the checksum for the changed word (TTL and protocol share
 * it): HC' = ~(~HC + ~m + m'). */
static __always_inline void ipv4_decrement_ttl(struct iphdr* ip) {
  __u16* ttl_word = (__u16*)&ip->ttl;
  __u16 old_word = *ttl_word;
  __u32 sum;

  ip->ttl--;
  sum = (__u16)~ip->check;
  sum += (__u16)~old_word;
  sum += *ttl_word;
  ip->check = csum_fold(sum);
}

#endif
