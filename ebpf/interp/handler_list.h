#pragma once
// Every handler of the threaded-code loop, listed once. (or_/and_/xor_ carry an underscore
// because `or`, `and` and `xor` are operator tokens to the preprocessor.) The decoder picks a
// Handler for each instruction; the execution loop defines one label per entry (op_<name>) and
// builds its label table from this same list, so a handler without a label, or a label without an
// entry, does not compile.

#include <cstdint>

// Binary ALU operations in their four forms: 32/64-bit, immediate/register source.
#define NICSIM_INTERP_ALU_FORMS(X, op) X(op##32_imm) X(op##32_reg) X(op##64_imm) X(op##64_reg)
// Conditional jumps in their four forms: 64/32-bit comparison, immediate/register operand.
#define NICSIM_INTERP_JMP_FORMS(X, op) X(op##_imm) X(op##_reg) X(op##32_imm) X(op##32_reg)
// Atomic read-modify-write operations, 32 and 64 bit.
#define NICSIM_INTERP_ATOMIC_FORMS(X, op) X(atomic32_##op) X(atomic64_##op)

#define NICSIM_INTERP_HANDLERS(X)                                                                  \
  NICSIM_INTERP_ALU_FORMS(X, add)                                                                  \
  NICSIM_INTERP_ALU_FORMS(X, sub)                                                                  \
  NICSIM_INTERP_ALU_FORMS(X, mul)                                                                  \
  NICSIM_INTERP_ALU_FORMS(X, div)                                                                  \
  NICSIM_INTERP_ALU_FORMS(X, sdiv)                                                                 \
  NICSIM_INTERP_ALU_FORMS(X, mod)                                                                  \
  NICSIM_INTERP_ALU_FORMS(X, smod)                                                                 \
  NICSIM_INTERP_ALU_FORMS(X, or_)                                                                  \
  NICSIM_INTERP_ALU_FORMS(X, and_)                                                                 \
  NICSIM_INTERP_ALU_FORMS(X, xor_)                                                                 \
  NICSIM_INTERP_ALU_FORMS(X, lsh)                                                                  \
  NICSIM_INTERP_ALU_FORMS(X, rsh)                                                                  \
  NICSIM_INTERP_ALU_FORMS(X, arsh)                                                                 \
  NICSIM_INTERP_ALU_FORMS(X, mov)                                                                  \
  X(neg32)                                                                                         \
  X(neg64)                                                                                         \
  X(movsx32_8) X(movsx32_16) X(movsx64_8) X(movsx64_16) X(movsx64_32) X(le16) X(le32) X(le64) X(   \
      be16) X(be32) X(be64) X(bswap16) X(bswap32) X(bswap64) X(lddw) X(lddw_btf)                   \
      X(lddw_second_slot) X(ldxb) X(ldxh) X(ldxw) X(ldxdw) X(ldxsb) X(ldxsh) X(ldxsw) X(stb) X(    \
          sth) X(stw) X(stdw) X(stxb) X(stxh) X(stxw) X(stxdw) X(ld_abs_b) X(ld_abs_h) X(ld_abs_w) \
          X(ld_ind_b) X(ld_ind_h) X(ld_ind_w) NICSIM_INTERP_ATOMIC_FORMS(                          \
              X, add) NICSIM_INTERP_ATOMIC_FORMS(X, or_) NICSIM_INTERP_ATOMIC_FORMS(X, and_)       \
              NICSIM_INTERP_ATOMIC_FORMS(X, xor_) NICSIM_INTERP_ATOMIC_FORMS(X, fetch_add)         \
                  NICSIM_INTERP_ATOMIC_FORMS(X, fetch_or) NICSIM_INTERP_ATOMIC_FORMS(X, fetch_and) \
                      NICSIM_INTERP_ATOMIC_FORMS(X, fetch_xor) NICSIM_INTERP_ATOMIC_FORMS(X, xchg) \
                          NICSIM_INTERP_ATOMIC_FORMS(X, cmpxchg) X(ja) NICSIM_INTERP_JMP_FORMS(    \
                              X, jeq) NICSIM_INTERP_JMP_FORMS(X, jne)                              \
                              NICSIM_INTERP_JMP_FORMS(X, jset) NICSIM_INTERP_JMP_FORMS(X, jgt)     \
                                  NICSIM_INTERP_JMP_FORMS(X, jge) NICSIM_INTERP_JMP_FORMS(X, jlt)  \
                                      NICSIM_INTERP_JMP_FORMS(X, jle) NICSIM_INTERP_JMP_FORMS(     \
                                          X, jsgt) NICSIM_INTERP_JMP_FORMS(X, jsge)                \
                                          NICSIM_INTERP_JMP_FORMS(X, jslt)                         \
                                              NICSIM_INTERP_JMP_FORMS(X, jsle) X(call_helper)      \
                                                  X(call_tail) X(call_local) X(callx) X(exit)      \
                                                      X(past_the_end)

namespace nicsim::ebpf::interp {

enum class Handler : uint16_t {
#define NICSIM_INTERP_ENUM_ENTRY(name) name,
  NICSIM_INTERP_HANDLERS(NICSIM_INTERP_ENUM_ENTRY)
#undef NICSIM_INTERP_ENUM_ENTRY
      kCount
};

constexpr size_t kHandlerCount = static_cast<size_t>(Handler::kCount);

}  // namespace nicsim::ebpf::interp
