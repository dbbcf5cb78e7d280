/* A stateful firewall on a bump-in-the-wire link between a trusted network (10.0.0.0/8)
 * and the outside.
 *
 * - IPv4 from a trusted source (10.0.0.0/8) records or refreshes its flow (5-tuple) in
 *   `flows` and is forwarded (XDP_TX).
 * - IPv4 from anywhere else is forwarded only as a reply to a recorded flow (its reversed
 *   5-tuple is in `flows`); anything unsolicited is dropped.
 * - Frames that are not IPv4 pass to the stack; malformed IPv4 is dropped.
 * - `action_counters` counts the verdicts per CPU, indexed by XDP action.
 */
#include "common/parsing.h"

#define TRUSTED_NETWORK 0x0a000000 /* 10.0.0.0 */
#define TRUSTED_MASK 0xff000000    /* /8 */

struct flow_state {
  __u64 last_seen_ns;
  __u64 packets; /* both directions */
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __type(key, struct flow_key);
  __type(value, struct flow_state);
  __uint(max_entries, 65536);
} flows SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __type(key, __u32);
  __type(value, __u64);
  __uint(max_entries, XDP_REDIRECT + 1);
} action_counters SEC(".maps");

static __always_inline int from_trusted_network(__be32 address) {
  return (address & bpf_htonl(TRUSTED_MASK)) == bpf_htonl(TRUSTED_NETWORK);
}

/* The verdict for one frame, before counting. */
static __always_inline int filter(struct xdp_md* ctx) {
  void* data = (void*)(long)ctx->data;
  void* data_end = (void*)(long)ctx->data_end;
  struct flow_key key = {};
  struct flow_key reply = {};
  struct flow_state* state;
  struct ethhdr* eth;
  struct iphdr* ip;
  __u64 now;

  switch (parse_ipv4(data, data_end, &eth, &ip)) {
    case PARSE_OK:
      break;
    case PARSE_NOT_IPV4:
      return XDP_PASS;
    default:
      return XDP_DROP;
  }
  if (flow_key_from_ipv4(ip, data_end, &key) < 0) return XDP_DROP;
  now = bpf_ktime_get_ns();

  if (from_trusted_network(key.saddr)) {
    state = bpf_map_lookup_elem(&flows, &key);
    if (state) {
      state->last_seen_ns = now;
      __sync_fetch_and_add(&state->packets, 1);
    } else {
      struct flow_state fresh = {.last_seen_ns = now, .packets = 1};

      bpf_map_update_elem(&flows, &key, &fresh, BPF_ANY);
    }
    return XDP_TX;
  }

  reply.saddr = key.daddr;
  reply.daddr = key.saddr;
  reply.sport = key.dport;
  reply.dport = key.sport;
  reply.protocol = key.protocol;
  state = bpf_map_lookup_elem(&flows, &reply);
  if (!state) return XDP_DROP;
  state->last_seen_ns = now;
  __sync_fetch_and_add(&state->packets, 1);
  return XDP_TX;
}

SEC("xdp")
int xdp_firewall(struct xdp_md* ctx) {
  __u32 action = filter(ctx);
  __u64* counter = bpf_map_lookup_elem(&action_counters, &action);

  if (counter) *counter += 1;
  return action;
}

char _license[] SEC("license") = "GPL";
