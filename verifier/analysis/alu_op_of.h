#pragma once
// The scalar operation an ALU instruction's operation field (and, for the division family,
// its offset: signed when 1) encodes. Neg, byte swaps and moves are not AluOps: callers
// handle them first (the default maps to arithmetic shift right).

#include "ebpf/isa/instruction.h"
#include "ebpf/isa/opcodes.h"
#include "verifier/domain/scalar_alu.h"

namespace nicsim::verifier {

inline AluOp alu_op_of(const ebpf::Instruction& i) {
  using namespace ebpf;
  const bool is_signed = i.offset == 1;
  switch (i.op()) {
    case kAluAdd:
      return AluOp::Add;
    case kAluSub:
      return AluOp::Sub;
    case kAluMul:
      return AluOp::Mul;
    case kAluDiv:
      return is_signed ? AluOp::SDiv : AluOp::Div;
    case kAluMod:
      return is_signed ? AluOp::SMod : AluOp::Mod;
    case kAluOr:
      return AluOp::Or;
    case kAluAnd:
      return AluOp::And;
    case kAluXor:
      return AluOp::Xor;
    case kAluLsh:
      return AluOp::Lsh;
    case kAluRsh:
      return AluOp::Rsh;
    default:
      return AluOp::Arsh;
  }
}

}  // namespace nicsim::verifier
