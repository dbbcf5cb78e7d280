// A BTF-defined map libbpf would pin by name in /sys/fs/bpf: the oracle must pin nothing.
// Each run adds the packet's length to slot 0 and returns XDP_PASS.
// bpf_helpers.h needs the types linux/bpf.h declares.
// clang-format off
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
// clang-format on

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __type(key, __u32);
  __type(value, __u64);
  __uint(max_entries, 4);
  __uint(pinning, LIBBPF_PIN_BY_NAME);
} nicsim_oracle_pin SEC(".maps");

SEC("xdp")
int count_bytes(struct xdp_md* ctx) {
  __u32 key = 0;
  __u64* total = bpf_map_lookup_elem(&nicsim_oracle_pin, &key);
  if (total) *total += ctx->data_end - ctx->data;
  return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
