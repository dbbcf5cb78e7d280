#pragma once
// The comparison a conditional jump's operation field encodes.

#include <cstdint>

#include "ebpf/isa/opcodes.h"
#include "verifier/domain/scalar_compare.h"

namespace nicsim::verifier {

inline CmpOp cmp_of(uint8_t op) {
  using namespace ebpf;
  switch (op) {
    case kJmpJeq:
      return CmpOp::Eq;
    case kJmpJgt:
      return CmpOp::Gt;
    case kJmpJge:
      return CmpOp::Ge;
    case kJmpJset:
      return CmpOp::Set;
    case kJmpJne:
      return CmpOp::Ne;
    case kJmpJsgt:
      return CmpOp::Sgt;
    case kJmpJsge:
      return CmpOp::Sge;
    case kJmpJlt:
      return CmpOp::Lt;
    case kJmpJle:
      return CmpOp::Le;
    case kJmpJslt:
      return CmpOp::Slt;
    default:
      return CmpOp::Sle;
  }
}

}  // namespace nicsim::verifier
