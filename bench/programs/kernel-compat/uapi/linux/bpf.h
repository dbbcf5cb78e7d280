/* The kernel's samples include <uapi/linux/bpf.h> from the kernel tree; outside it, the
 * installed UAPI header is the same file. */
#include <linux/bpf.h>
