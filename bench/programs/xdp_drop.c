/* Drops every frame: the floor of XDP processing cost. */
/* Order matters: the UAPI types must come before the libbpf headers. */
/* clang-format off */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
/* clang-format on */

SEC("xdp")
int xdp_drop(struct xdp_md* ctx) {
  return XDP_DROP;
}

char _license[] SEC("license") = "GPL";
