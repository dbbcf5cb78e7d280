/* Installed UAPI <linux/if.h> includes glibc's <sys/socket.h>, whose <gnu/stubs.h> picks the
 * 32-bit stub list for any target that is not x86_64 (the BPF target is not), and Debian's
 * amd64 libc6-dev lacks that file. It only lists unimplemented functions, which BPF code
 * never calls, so an empty one is enough. */
