/* A layer-4 load balancer in the manner of Katran.
 *
 * - `vips` maps a virtual service (address, port, protocol) to a service number; traffic
 *   to anything else, non-IPv4 traffic and IPv4 fragments pass to the stack.
 * - A new flow picks its backend from the service's consistent-hashing ring in `ring`
 *   (RING_SIZE slots per service, a Maglev lookup table filled from the default map
 *   contents) by a hash of its 5-tuple, and is remembered in the `connections` LRU table,
 *   so that established flows keep their backend when the ring changes.
 * - The packet is encapsulated IP-in-IP towards the backend's address (`backends`), from
 *   the balancer's own address, and sent back out (XDP_TX) to the gateway (`lb_config`).
 */
#include "common/ipip.h"

#define RING_SIZE 251 /* prime, as Maglev tables need */
#define MAX_SERVICES 16
#define MAX_BACKENDS 256

struct vip_key {
  __be32 address;
  __be16 port;
  __u8 protocol;
  __u8 pad;
};

struct vip_info {
  __u32 service; /* selects ring slots service * RING_SIZE ... + RING_SIZE - 1 */
};

struct backend {
  __be32 address;
};

struct lb_config {
  __be32 source;              /* outer source address */
  __u8 smac[ETH_ALEN];        /* our port's address */
  __u8 gateway_mac[ETH_ALEN]; /* next hop towards the backends */
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __type(key, struct vip_key);
  __type(value, struct vip_info);
  __uint(max_entries, 64);
} vips SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __type(key, __u32);
  __type(value, __u32); /* backend number */
  __uint(max_entries, MAX_SERVICES* RING_SIZE);
} ring SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __type(key, __u32);
  __type(value, struct backend);
  __uint(max_entries, MAX_BACKENDS);
} backends SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __type(key, struct flow_key);
  __type(value, __u32); /* backend number */
  __uint(max_entries, 65536);
} connections SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __type(key, __u32);
  __type(value, struct lb_config);
  __uint(max_entries, 1);
} lb_config SEC(".maps");

/* The 32-bit finaliser of MurmurHash3: every input bit affects every output bit. */
static __always_inline __u32 mix32(__u32 h) {
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return h;
}

static __always_inline __u32 flow_hash(const struct flow_key* key) {
  __u32 h = mix32(key->saddr);

  h = mix32(h ^ key->daddr);
  h = mix32(h ^ ((__u32)key->sport << 16 | key->dport));
  return mix32(h ^ key->protocol);
}

SEC("xdp")
int xdp_load_balancer(struct xdp_md* ctx) {
  void* data = (void*)(long)ctx->data;
  void* data_end = (void*)(long)ctx->data_end;
  struct flow_key flow = {};
  struct vip_key vip = {};
  struct vip_info* service;
  struct lb_config* config;
  struct backend* backend;
  __u32 backend_number;
  __u32 zero = 0;
  __u32* cached;
  struct ethhdr* eth;
  struct iphdr* ip;

  switch (parse_ipv4(data, data_end, &eth, &ip)) {
    case PARSE_OK:
      break;
    case PARSE_NOT_IPV4:
      return XDP_PASS;
    default:
      return XDP_DROP;
  }
  if (is_fragment(ip)) return XDP_PASS;
  if (flow_key_from_ipv4(ip, data_end, &flow) < 0) return XDP_DROP;

  vip.address = flow.daddr;
  vip.port = flow.dport;
  vip.protocol = flow.protocol;
  service = bpf_map_lookup_elem(&vips, &vip);
  if (!service) return XDP_PASS;
  config = bpf_map_lookup_elem(&lb_config, &zero);
  if (!config) return XDP_PASS;

  cached = bpf_map_lookup_elem(&connections, &flow);
  if (cached) {
    backend_number = *cached;
  } else {
    __u32 slot = service->service * RING_SIZE + flow_hash(&flow) % RING_SIZE;
    __u32* chosen = bpf_map_lookup_elem(&ring, &slot);

    if (!chosen) return XDP_DROP;
    backend_number = *chosen;
    bpf_map_update_elem(&connections, &flow, &backend_number, BPF_ANY);
  }
  backend = bpf_map_lookup_elem(&backends, &backend_number);
  if (!backend || !backend->address) return XDP_DROP; /* a service without a usable backend */
  return ipip_encapsulate(ctx, config->source, backend->address, config->smac, config->gateway_mac);
}

char _license[] SEC("license") = "GPL";
