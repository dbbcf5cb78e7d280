#pragma once
// Transfer functions of the eBPF ALU over the scalar domain. Each result contains every
// concrete result of the operation applied to members of the operands (soundness), as
// tightly as the kernel's rules (adjust_scalar_min_max_vals) or better. Division and modulo
// follow RFC 9669: x / 0 == 0, x % 0 == x, and the signed INT_MIN / -1 wraps.

#include <cstdint>

#include "verifier/domain/scalar.h"

namespace nicsim::verifier {

enum class AluOp : uint8_t {
  Add,
  Sub,
  Mul,
  Div,   // unsigned
  SDiv,  // signed (ISA v4)
  Mod,   // unsigned
  SMod,  // signed (ISA v4)
  Or,
  And,
  Xor,
  Lsh,
  Rsh,
  Arsh,
};

// `dst op src` on all 64 bits (ALU64 class).
Scalar alu64(AluOp op, const Scalar& dst, const Scalar& src);
// `dst op src` on the low 32 bits, zero-extended to 64 (ALU class).
Scalar alu32(AluOp op, const Scalar& dst, const Scalar& src);
Scalar neg64(const Scalar& v);
Scalar neg32(const Scalar& v);
// Unconditional byte swap of the low `bits` (16, 32, 64) bits, zero-extended.
Scalar byte_swap(const Scalar& v, unsigned bits);

// The concrete operations, for tests and constant folding: exactly what an interpreter
// computes.
uint64_t concrete_alu64(AluOp op, uint64_t dst, uint64_t src);
uint32_t concrete_alu32(AluOp op, uint32_t dst, uint32_t src);

}  // namespace nicsim::verifier
