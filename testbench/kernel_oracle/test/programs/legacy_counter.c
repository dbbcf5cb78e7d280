// Legacy map definitions (a "maps" section), which libbpf 1.x refuses: the oracle loads it
// itself. The program uses the second map only; each run counts one packet in slot 0 and
// drops packets shorter than 60 bytes.
// bpf_helpers.h needs the types linux/bpf.h declares.
// clang-format off
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
// clang-format on

struct legacy_map_definition {
  unsigned int type;
  unsigned int key_size;
  unsigned int value_size;
  unsigned int max_entries;
  unsigned int map_flags;
};

struct legacy_map_definition SEC("maps") unused = {
    .type = BPF_MAP_TYPE_HASH, .key_size = 8, .value_size = 8, .max_entries = 16};
struct legacy_map_definition SEC("maps") packets = {
    .type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 8, .max_entries = 2};

SEC("xdp")
int count_packets(struct xdp_md* ctx) {
  __u32 key = 0;
  __u64* count = bpf_map_lookup_elem(&packets, &key);
  if (count) *count += 1;
  return ctx->data_end - ctx->data < 60 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
