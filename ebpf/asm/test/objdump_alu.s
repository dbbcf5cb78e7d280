# ALU forms for the llvm-objdump comparison (ebpf_asm_test, LlvmObjdump).
	.text
	.globl	alu
	.type	alu,@function
alu:
	r0 = 1
	r0 = -1
	r0 = 0x7fffffff
	r0 = -2147483648
	r9 = r10
	w0 = w1
	w0 = -1
	r0 += r1
	r1 -= 7
	r2 *= r3
	r3 /= 5
	r4 %= r5
	r5 |= 0xff
	r6 &= -16
	r7 ^= r8
	r8 <<= 63
	r9 >>= r1
	r0 s>>= 3
	w0 += w1
	w1 -= 7
	w2 *= w3
	w3 /= 5
	w4 %= w5
	w5 |= 255
	w6 &= w7
	w7 ^= 1
	w8 <<= 31
	w9 >>= w1
	w0 s>>= w2
	r0 s/= r1
	r0 s%= 3
	w0 s/= w1
	w0 s%= -3
	r0 = -r0
	w0 = -w0
	r1 = be16 r1
	r1 = be32 r1
	r1 = be64 r1
	r1 = le16 r1
	r1 = le32 r1
	r1 = le64 r1
	r1 = bswap16 r1
	r1 = bswap32 r1
	r1 = bswap64 r1
	r1 = (s8)r2
	r1 = (s16)r2
	r1 = (s32)r2
	w1 = (s8)w2
	w1 = (s16)w2
	r1 = 0x1122334455667788 ll
	r2 = -1 ll
	r3 = 0x8000000000000000 ll
	r4 = 5 ll
	exit
	.size	alu, .-alu
