#pragma once
// Conditional jumps over the scalar domain: whether a comparison's outcome is decided, and
// what each side learns about both operands when it is taken (the kernel's is_branch_taken
// and regs_refine_cond_op). Comparisons are on all 64 bits (JMP) or the low 32 (JMP32).

#include <cstdint>
#include <optional>
#include <utility>

#include "verifier/domain/scalar.h"

namespace nicsim::verifier {

enum class CmpOp : uint8_t {
  Eq,
  Ne,
  Set,     // (a & b) != 0
  NotSet,  // (a & b) == 0, the fall-through of JSET
  Gt,
  Ge,
  Lt,
  Le,
  Sgt,
  Sge,
  Slt,
  Sle,
};

// The condition that holds on the other side of the branch.
CmpOp negate(CmpOp op);
// `b op' a` equivalent to `a op b`.
CmpOp swap_operands(CmpOp op);

enum class Outcome : uint8_t { Never, Always, Unknown };

// Whether `a op b` holds for every, no, or some pair of members.
Outcome evaluate(CmpOp op, const Scalar& a, const Scalar& b, bool is32);

// The operands narrowed to the pairs of members for which `a op b` holds; nullopt when
// there are none.
std::optional<std::pair<Scalar, Scalar>> refine(CmpOp op, const Scalar& a, const Scalar& b,
                                                bool is32);

bool concrete_compare(CmpOp op, uint64_t a, uint64_t b, bool is32);

}  // namespace nicsim::verifier
