#pragma once
// Pieces of the pseudo-C parser, split by subject: pseudoc_parser.cpp (dispatch, ALU,
// branches) and pseudoc_memory.cpp (loads, stores, atomics).

#include <optional>
#include <string>

#include "ebpf/asm/lexer.h"
#include "ebpf/asm/operands.h"
#include "ebpf/asm/operation.h"

namespace nicsim::ebpf::assembly {

// An operator, joining the pieces the lexer splits: "s" ">>=" -> "s>>=", "s8" "=" -> "s8=",
// "x" "=" -> "x=", "cx" "=" -> "cx=".
std::string read_operator(TokenStream& ts);

// *(u64 *)(r10 - 8) = r1 | imm
Operation parse_store(TokenStream& ts);
// After "lock": *(u64 *)(r1 + 0) += r2 [fetch], also x= (xchg) and cx= (cmpxchg).
Operation parse_lock_statement(TokenStream& ts);
// After "dst =", at '*': *(u32 *)(r1 + 8), *(s16 *)(r1 - 2), *(u8 *)skb[23], *(u16 *)skb[r7 + 0].
Operation parse_load(TokenStream& ts, Register dst);
// After "dst =": atomic_fetch_add(...), xchg_64(...), cmpxchg32_32(...) and the kernel log's
// atomic64_* spellings; nullopt if the next identifier names none of them.
std::optional<Operation> parse_atomic_call(TokenStream& ts, Register dst);

}  // namespace nicsim::ebpf::assembly
