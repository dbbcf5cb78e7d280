/* Sends every Ethernet frame back out of the port it came in on, with source and
 * destination MAC addresses swapped (a reflector). Runts shorter than an Ethernet header
 * are dropped. */
/* Order matters: the UAPI types must come before the libbpf headers. */
/* clang-format off */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
/* clang-format on */

SEC("xdp")
int xdp_tx(struct xdp_md* ctx) {
  void* data = (void*)(long)ctx->data;
  void* data_end = (void*)(long)ctx->data_end;
  /* The two addresses as 16-bit words: XDP frames start 2-byte aligned. */
  __u16* mac = data;
  __u16 destination0, destination1, destination2;

  if (data + sizeof(struct ethhdr) > data_end) return XDP_DROP;
  destination0 = mac[0];
  destination1 = mac[1];
  destination2 = mac[2];
  mac[0] = mac[3];
  mac[1] = mac[4];
  mac[2] = mac[5];
  mac[3] = destination0;
  mac[4] = destination1;
  mac[5] = destination2;
  return XDP_TX;
}

char _license[] SEC("license") = "GPL";
