/* Used only when bpftool or /sys/kernel/btf/vmlinux is missing, in place of the vmlinux.h
 * bpftool dumps from the running kernel's BTF: the types xdp_router_ipv4.bpf.c (and
 * xdp_sample_compat.h) need, over the installed UAPI headers, plus the kernel-internal
 * ones they lack. */
#ifndef __VMLINUX_H__
#define __VMLINUX_H__

/* Order matters: the UAPI types must come before the libbpf headers. */
/* clang-format off */
#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
/* clang-format on */

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __SIZE_TYPE__ size_t;

/* include/linux/if_vlan.h */
struct vlan_hdr {
  __be16 h_vlan_TCI;
  __be16 h_vlan_encapsulated_proto;
};

#endif
