# 32-bit atomics; llvm-objdump-19 prints them only with -mattr=+alu32.
	.text
	.globl	atomic32
	.type	atomic32,@function
atomic32:
	lock *(u32 *)(r1 + 0) += w2
	lock *(u32 *)(r1 + 4) |= w2
	lock *(u32 *)(r1 - 4) &= w2
	lock *(u32 *)(r10 - 8) ^= w3
	w2 = atomic_fetch_add((u32 *)(r1 + 0), w2)
	w2 = atomic_fetch_or((u32 *)(r1 + 0), w2)
	w2 = atomic_fetch_and((u32 *)(r1 + 0), w2)
	w2 = atomic_fetch_xor((u32 *)(r1 + 0), w2)
	w2 = xchg32_32(r1 + 16, w2)
	w0 = cmpxchg32_32(r1 - 16, w0, w2)
	exit
	.size	atomic32, .-atomic32
