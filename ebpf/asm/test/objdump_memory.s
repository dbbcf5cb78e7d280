# Loads, stores, legacy packet loads and 64-bit atomics for the llvm-objdump comparison.
	.text
	.globl	memory
	.type	memory,@function
memory:
	r0 = *(u8 *)(r1 + 0)
	r0 = *(u16 *)(r1 + 2)
	r0 = *(u32 *)(r1 + 8)
	r0 = *(u64 *)(r1 - 8)
	r0 = *(s8 *)(r1 + 32767)
	r0 = *(s16 *)(r1 - 32768)
	r0 = *(s32 *)(r10 - 4)
	*(u8 *)(r10 - 1) = r1
	*(u16 *)(r10 - 2) = r1
	*(u32 *)(r10 - 4) = r1
	*(u64 *)(r10 - 8) = r1
	*(u8 *)(r1 + 0) = -128
	*(u16 *)(r1 + 2) = 0x7fff
	*(u32 *)(r1 + 4) = 7
	*(u64 *)(r1 + 8) = -1
	r0 = *(u8 *)skb[23]
	r0 = *(u16 *)skb[-1]
	r0 = *(u32 *)skb[0x7fffffff]
	r0 = *(u8 *)skb[r7]
	r0 = *(u16 *)skb[r2]
	r0 = *(u32 *)skb[r9]
	lock *(u64 *)(r1 + 0) += r2
	lock *(u64 *)(r1 + 8) |= r2
	lock *(u64 *)(r1 - 8) &= r2
	lock *(u64 *)(r10 - 16) ^= r3
	r2 = atomic_fetch_add((u64 *)(r1 + 0), r2)
	r2 = atomic_fetch_or((u64 *)(r1 + 0), r2)
	r2 = atomic_fetch_and((u64 *)(r1 + 0), r2)
	r2 = atomic_fetch_xor((u64 *)(r1 + 0), r2)
	r2 = xchg_64(r1 + 16, r2)
	r0 = cmpxchg_64(r1 - 16, r0, r2)
	exit
	.size	memory, .-memory
