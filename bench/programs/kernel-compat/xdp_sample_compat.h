/* Force-included into the kernel's xdp_router_ipv4.bpf.c in place of xdp_sample.bpf.h.
 *
 * Upstream links the router with xdp_sample.bpf.o, which defines the shared `rx_cnt`
 * statistics map (sized by its user-space loader to the number of CPUs) and tracepoint
 * programs that feed the sample's statistics display. nicsim runs the XDP program alone:
 * this header defines what the router uses (the `rx_cnt` map, sized for 64 CPUs, and
 * NO_TEAR_INC) and claims xdp_sample.bpf.h's include guard so that its contents are
 * skipped. */
#ifndef NICSIM_XDP_SAMPLE_COMPAT_H
#define NICSIM_XDP_SAMPLE_COMPAT_H
#define _XDP_SAMPLE_BPF_H

/* Order matters: vmlinux.h must come before the libbpf headers. */
/* clang-format off */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
/* clang-format on */

#include "net_shared.h"
#include "xdp_sample_shared.h"

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(map_flags, BPF_F_MMAPABLE);
  __uint(max_entries, 64);
  __type(key, unsigned int);
  __type(value, struct datarec);
} rx_cnt SEC(".maps");

/* A counter increment the compiler may not tear or merge: one volatile read-modify-write. */
#define NO_TEAR_INC(x) (*(volatile typeof(x)*)&(x) += 1)

#endif
