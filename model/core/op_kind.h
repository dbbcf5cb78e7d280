#pragma once
// The handler Core::execute runs for an operation, chosen at load: the operation's class with
// the choices that never change at run time folded in (the ALU function and width, the branch
// condition, the access size), so that executing an operation is one jump to code that does
// exactly that operation. Core::execute jumps from each handler straight to the next
// operation's (threaded dispatch), so the host predicts each jump from a site of its own.
//
// The list is an X-macro so that the enumeration and Core::execute's table of handler
// addresses are built from the same list, in the same order.

#include <cstdint>

// X(kind): the 64-bit ALU functions without a divider, the common 32-bit ones, then the
// rest through the generic ALU; the 64-bit branch conditions, then the 32-bit ones through
// the generic compare; loads and stores by access size.
#define NICSIM_OP_KINDS(X) \
  X(Alu64Add)              \
  X(Alu64Sub)              \
  X(Alu64Mul)              \
  X(Alu64Or)               \
  X(Alu64And)              \
  X(Alu64Xor)              \
  X(Alu64Lsh)              \
  X(Alu64Rsh)              \
  X(Alu64Arsh)             \
  X(Alu64Mov)              \
  X(Alu64Rsub)             \
  X(Alu32Add)              \
  X(Alu32Sub)              \
  X(Alu32Mul)              \
  X(Alu32Or)               \
  X(Alu32And)              \
  X(Alu32Xor)              \
  X(Alu32Lsh)              \
  X(Alu32Rsh)              \
  X(Alu32Arsh)             \
  X(Alu32Mov)              \
  X(AluOther)              \
  X(Jump)                  \
  X(Branch64Eq)            \
  X(Branch64Ne)            \
  X(Branch64Gt)            \
  X(Branch64Ge)            \
  X(Branch64Lt)            \
  X(Branch64Le)            \
  X(Branch64Sgt)           \
  X(Branch64Sge)           \
  X(Branch64Slt)           \
  X(Branch64Sle)           \
  X(Branch64Set)           \
  X(Branch64Nset)          \
  X(Branch32)              \
  X(Load1)                 \
  X(Load2)                 \
  X(Load3)                 \
  X(Load4)                 \
  X(Load5)                 \
  X(Load6)                 \
  X(Load7)                 \
  X(Load8)                 \
  X(Store1)                \
  X(Store2)                \
  X(Store3)                \
  X(Store4)                \
  X(Store5)                \
  X(Store6)                \
  X(Store7)                \
  X(Store8)                \
  X(ReadModifyWrite)       \
  X(Movs)                  \
  X(ExitImm)               \
  X(ExitReg)               \
  X(CallF)                 \
  X(Ret)                   \
  X(HCall)                 \
  X(End)

namespace nicsim::model {

enum class OpKind : uint8_t {
#define NICSIM_OP_KIND_ENUMERATOR(kind) kind,
  NICSIM_OP_KINDS(NICSIM_OP_KIND_ENUMERATOR)
#undef NICSIM_OP_KIND_ENUMERATOR
};

// What a taken control operation does to the context's flow.
enum class ControlKind : uint8_t { None, Jump, Exit };

}  // namespace nicsim::model
