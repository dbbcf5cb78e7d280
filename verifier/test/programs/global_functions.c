// Global (non-static) bpf-to-bpf functions: the verifier checks each once, on its own, from
// its BTF prototype (pointer arguments may be NULL), and a call against the prototype.
// clang-format off
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
// clang-format on

struct pair {
  long first;
  long second;
};

// Dereferences x without checking it: refused, x may be NULL.
__attribute__((noinline)) int add_unchecked(int* x) {
  return *x + 1;
}

// Checks x first: safe for any argument matching the prototype.
__attribute__((noinline)) int add_checked(int* x) {
  if (!x) return 0;
  return *x + 1;
}

// Static: verified where it is called, with the caller's (non-NULL) pointer.
static __attribute__((noinline)) int add_static(int* x) {
  return *x + 1;
}

__attribute__((noinline)) int sum_pair(struct pair* p) {
  if (!p) return 0;
  return (int)(p->first + p->second);
}

// Writes through its argument: the caller's variable is unknown after the call.
__attribute__((noinline)) int set_five(int* x) {
  if (x) *x = 5;
  return 0;
}

__attribute__((noinline)) int packet_length(struct xdp_md* ctx) {
  return (int)(ctx->data_end - ctx->data);
}

SEC("xdp/unchecked")
int call_unchecked(struct xdp_md* ctx) {
  int v = ctx->ingress_ifindex;
  return add_unchecked(&v) > 0 ? XDP_PASS : XDP_DROP;
}

SEC("xdp/checked")
int call_checked(struct xdp_md* ctx) {
  int v = ctx->ingress_ifindex;
  return add_checked(&v) + add_checked(0) > 0 ? XDP_PASS : XDP_DROP;
}

SEC("xdp/static")
int call_static(struct xdp_md* ctx) {
  int v = ctx->ingress_ifindex;
  return add_static(&v) > 0 ? XDP_PASS : XDP_DROP;
}

// Passes 8 bytes where the prototype promises 16: refused at the call.
SEC("xdp/short_argument")
int call_short_argument(struct xdp_md* ctx) {
  long v = ctx->ingress_ifindex;
  return sum_pair((struct pair*)&v) > 0 ? XDP_PASS : XDP_DROP;
}

// After set_five(&index) the index is unknown, so indexing the array is out of bounds.
SEC("xdp/written_argument")
int call_written_argument(struct xdp_md* ctx) {
  volatile char table[4] = {1, 2, 3, 4};
  int index = 0;
  set_five(&index);
  return table[index] + (int)ctx->ingress_ifindex > 0 ? XDP_PASS : XDP_DROP;
}

SEC("xdp/context")
int call_context(struct xdp_md* ctx) {
  return packet_length(ctx) > 64 ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
