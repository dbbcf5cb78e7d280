#pragma once
// The names of operations in both syntaxes, in one place so that parsers and printers agree.

#include <cstdint>
#include <optional>
#include <string_view>

#include "ebpf/isa/opcodes.h"

namespace nicsim::ebpf::assembly {

struct AluName {
  uint8_t op;
  bool is_signed;
  std::string_view conformance;  // "add" (64-bit), "add32"
  std::string_view pseudoc;      // compound assignment operator
};

inline constexpr AluName kAluNames[] = {
    {kAluAdd, false, "add", "+="},  {kAluSub, false, "sub", "-="},
    {kAluMul, false, "mul", "*="},  {kAluDiv, false, "div", "/="},
    {kAluDiv, true, "sdiv", "s/="}, {kAluOr, false, "or", "|="},
    {kAluAnd, false, "and", "&="},  {kAluLsh, false, "lsh", "<<="},
    {kAluRsh, false, "rsh", ">>="}, {kAluMod, false, "mod", "%="},
    {kAluMod, true, "smod", "s%="}, {kAluXor, false, "xor", "^="},
    {kAluMov, false, "mov", "="},   {kAluArsh, false, "arsh", "s>>="},
};

struct JumpName {
  uint8_t op;
  std::string_view conformance;  // "jeq" (64-bit), "jeq32"
  std::string_view pseudoc;      // comparison operator
};

inline constexpr JumpName kJumpNames[] = {
    {kJmpJeq, "jeq", "=="},    {kJmpJgt, "jgt", ">"},     {kJmpJge, "jge", ">="},
    {kJmpJset, "jset", "&"},   {kJmpJne, "jne", "!="},    {kJmpJsgt, "jsgt", "s>"},
    {kJmpJsge, "jsge", "s>="}, {kJmpJlt, "jlt", "<"},     {kJmpJle, "jle", "<="},
    {kJmpJslt, "jslt", "s<"},  {kJmpJsle, "jsle", "s<="},
};

struct SizeName {
  uint8_t size;
  std::string_view suffix;         // conformance: ldx<suffix>, st<suffix>, stx<suffix>
  std::string_view unsigned_type;  // pseudo-C: *(u32 *)
  std::string_view signed_type;    // pseudo-C sign-extending load: *(s32 *); empty if none
};

inline constexpr SizeName kSizeNames[] = {
    {kSizeB, "b", "u8", "s8"},
    {kSizeH, "h", "u16", "s16"},
    {kSizeW, "w", "u32", "s32"},
    {kSizeDw, "dw", "u64", ""},
};

// Atomic read-modify-write operations (without kAtomicFetch).
struct AtomicName {
  int32_t op;
  std::string_view name;     // conformance "lock add", pseudo-C "atomic_fetch_add"
  std::string_view pseudoc;  // "lock *(u64 *)(r1 + 0) += r2"
};

inline constexpr AtomicName kAtomicNames[] = {
    {kAtomicAdd, "add", "+="},
    {kAtomicOr, "or", "|="},
    {kAtomicAnd, "and", "&="},
    {kAtomicXor, "xor", "^="},
};

inline const AluName* find_alu(uint8_t op, bool is_signed) {
  for (const auto& n : kAluNames)
    if (n.op == op && n.is_signed == is_signed) return &n;
  return nullptr;
}

inline const JumpName* find_jump(uint8_t op) {
  for (const auto& n : kJumpNames)
    if (n.op == op) return &n;
  return nullptr;
}

inline const SizeName& size_name(uint8_t size) {
  for (const auto& n : kSizeNames)
    if (n.size == size) return n;
  return kSizeNames[3];
}

inline const AtomicName* find_atomic(int32_t op_without_fetch) {
  for (const auto& n : kAtomicNames)
    if (n.op == op_without_fetch) return &n;
  return nullptr;
}

}  // namespace nicsim::ebpf::assembly
