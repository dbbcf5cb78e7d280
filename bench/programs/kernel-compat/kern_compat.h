/* Force-included into the kernel's *_kern.c XDP samples, which are written against the
 * kernel's own headers (built with -D__KERNEL__ inside a configured tree). These are the
 * few kernel-internal names they use, defined over the installed UAPI and libbpf headers
 * so that the samples build on a plain Debian machine. */
#ifndef NICSIM_KERN_COMPAT_H
#define NICSIM_KERN_COMPAT_H

/* Order matters: the UAPI types must come before the libbpf headers. */
/* clang-format off */
#include <linux/types.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
/* clang-format on */

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;

/* sparse annotations */
#define __force

#define htons(x) bpf_htons(x)
#define ntohs(x) bpf_ntohs(x)
#define cpu_to_be32(x) bpf_htonl(x)

#define memcpy __builtin_memcpy
#define memset __builtin_memset

#define max(a, b) ((a) > (b) ? (a) : (b))

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif

#endif
