// Reads four bytes of the packet without checking its length: every verifier must refuse it.
// bpf_helpers.h needs the types linux/bpf.h declares.
// clang-format off
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
// clang-format on

SEC("xdp")
int read_unchecked(struct xdp_md* ctx) {
  void* data = (void*)(long)ctx->data;
  return *(int*)data == 0 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
