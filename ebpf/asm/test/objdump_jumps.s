# Branches and calls for the llvm-objdump comparison. No bpf-to-bpf calls: llvm-objdump
# prints them as "call <imm>", the same text as a helper call (see llvm_objdump_test.cpp).
	.text
	.globl	jumps
	.type	jumps,@function
jumps:
	if r1 == r2 goto +1
	if r1 != 0 goto -1
	if r1 > r2 goto +3
	if r1 >= 0x80000000 goto +0
	if r1 < r2 goto +2
	if r1 <= -1 goto +2
	if r1 s> r2 goto +1
	if r1 s>= -5 goto -2
	if r1 s< r2 goto +1
	if r1 s<= 7 goto +1
	if r1 & r2 goto +1
	if r1 & 0x10 goto +1
	if w1 == w2 goto +1
	if w1 != 0 goto -1
	if w1 > w2 goto +3
	if w1 >= 5 goto +0
	if w1 < w2 goto +2
	if w1 <= -1 goto +2
	if w1 s> w2 goto +1
	if w1 s>= -5 goto -2
	if w1 s< w2 goto +1
	if w1 s<= 7 goto +1
	if w1 & w2 goto +1
	if w1 & 0x10 goto +1
	goto +5
	goto -32768
	goto +32767
	gotol far
	call 1
	call 212
	callx r1
	callx r10
	r0 = 0
far:
	exit
	.size	jumps, .-jumps
