// Pseudo-C loads, stores and atomics: "*(u32 *)(r1 + 8)" and friends.
#include <fmt/format.h>

#include "ebpf/asm/mnemonics.h"
#include "ebpf/asm/pseudoc_parts.h"

namespace nicsim::ebpf::assembly {

namespace {

struct AccessType {
  uint8_t size = kSizeDw;
  bool is_signed = false;
};

// "(u32 *)"
AccessType parse_access_type(TokenStream& ts) {
  ts.expect("(");
  const std::string_view name = ts.expect_identifier("an access type (u8, u16, u32, u64)");
  ts.expect("*");
  ts.expect(")");
  for (const auto& s : kSizeNames) {
    if (name == s.unsigned_type) return {s.size, false};
    if (!s.signed_type.empty() && name == s.signed_type) return {s.size, true};
  }
  ts.fail(fmt::format("unknown access type '{}'", name));
}

AccessType parse_unsigned_type(TokenStream& ts) {
  const AccessType type = parse_access_type(ts);
  if (type.is_signed) ts.fail("stores and atomics take an unsigned access type (u8..u64)");
  return type;
}

struct Address {
  uint8_t base = 0;
  int16_t offset = 0;
};

// "r1 + 8", "r1 - 2", "r1"
Address parse_address(TokenStream& ts) {
  Address a;
  a.base = expect_register(ts).num;
  if (ts.peek().is("+") || ts.peek().is("-"))
    a.offset = to_offset16(expect_number(ts, "an offset"), ts);
  return a;
}

Address parse_parenthesized_address(TokenStream& ts) {
  ts.expect("(");
  const Address a = parse_address(ts);
  ts.expect(")");
  return a;
}

bool atomic_wide(const AccessType& type, TokenStream& ts) {
  if (type.size != kSizeW && type.size != kSizeDw) ts.fail("atomic operations are 32 or 64 bit");
  return type.size == kSizeDw;
}

// r0 = *(u8 *)skb[23], r0 = *(u16 *)skb[r7 + 4]
Operation parse_legacy_load(TokenStream& ts, Register dst, AccessType type) {
  if (type.is_signed || type.size == kSizeDw) ts.fail("legacy packet loads are u8, u16 or u32");
  if (dst.num != 0) ts.fail("legacy packet loads write r0");
  ts.expect("[");
  LegacyLoad load{type.size, false, 0, 0};
  if (is_register(ts.peek())) {
    load.indirect = true;
    load.src = expect_register(ts).num;
    if (ts.peek().is("+") || ts.peek().is("-"))
      load.imm = to_imm32(expect_number(ts, "an offset"), ts);
  } else {
    load.imm = to_imm32(expect_number(ts, "a packet offset"), ts);
  }
  ts.expect("]");
  return load;
}

enum class AtomicCall { FetchOp, Exchange, CompareExchange };

struct AtomicFunction {
  std::string_view name;
  AtomicCall kind;
  int32_t op;  // FetchOp: the operation without kAtomicFetch
  int bits;    // 0: from the pointer cast
};

constexpr AtomicFunction kAtomicFunctions[] = {
    {"atomic_fetch_add", AtomicCall::FetchOp, kAtomicAdd, 0},
    {"atomic_fetch_or", AtomicCall::FetchOp, kAtomicOr, 0},
    {"atomic_fetch_and", AtomicCall::FetchOp, kAtomicAnd, 0},
    {"atomic_fetch_xor", AtomicCall::FetchOp, kAtomicXor, 0},
    {"atomic64_fetch_add", AtomicCall::FetchOp, kAtomicAdd, 0},
    {"atomic64_fetch_or", AtomicCall::FetchOp, kAtomicOr, 0},
    {"atomic64_fetch_and", AtomicCall::FetchOp, kAtomicAnd, 0},
    {"atomic64_fetch_xor", AtomicCall::FetchOp, kAtomicXor, 0},
    {"xchg_64", AtomicCall::Exchange, kAtomicXchg, 64},
    {"xchg32_32", AtomicCall::Exchange, kAtomicXchg, 32},
    {"atomic_xchg", AtomicCall::Exchange, kAtomicXchg, 0},
    {"atomic64_xchg", AtomicCall::Exchange, kAtomicXchg, 0},
    {"cmpxchg_64", AtomicCall::CompareExchange, kAtomicCmpxchg, 64},
    {"cmpxchg32_32", AtomicCall::CompareExchange, kAtomicCmpxchg, 32},
    {"atomic_cmpxchg", AtomicCall::CompareExchange, kAtomicCmpxchg, 0},
    {"atomic64_cmpxchg", AtomicCall::CompareExchange, kAtomicCmpxchg, 0},
};

}  // namespace

Operation parse_store(TokenStream& ts) {
  ts.expect("*");
  const AccessType type = parse_unsigned_type(ts);
  const Address a = parse_parenthesized_address(ts);
  ts.expect("=");
  Operand value;
  if (is_register(ts.peek()))
    value = Operand::from_register(expect_register(ts).num);
  else
    value = Operand::from_immediate(to_imm32(expect_number(ts, "a register or an immediate"), ts));
  return Store{type.size, a.base, a.offset, value};
}

Operation parse_lock_statement(TokenStream& ts) {
  ts.expect("*");
  const bool wide = atomic_wide(parse_unsigned_type(ts), ts);
  const Address a = parse_parenthesized_address(ts);
  const std::string op = read_operator(ts);
  int32_t imm = 0;
  if (op == "x=") {
    imm = kAtomicXchg;
  } else if (op == "cx=") {
    imm = kAtomicCmpxchg;
  } else {
    const AtomicName* found = nullptr;
    for (const auto& n : kAtomicNames)
      if (n.pseudoc == op) found = &n;
    if (!found) ts.fail(fmt::format("unknown atomic operator '{}'", op));
    imm = found->op;
  }
  const uint8_t src = expect_register(ts).num;
  // PREVAIL writes the fetching forms as "lock ... += r1 fetch".
  if (ts.accept("fetch")) imm |= kAtomicFetch;
  return Atomic{wide, imm, a.base, a.offset, src};
}

Operation parse_load(TokenStream& ts, Register dst) {
  ts.expect("*");
  const AccessType type = parse_access_type(ts);
  if (ts.accept("skb")) return parse_legacy_load(ts, dst, type);
  const Address a = parse_parenthesized_address(ts);
  return Load{type.size, type.is_signed, dst.num, a.base, a.offset};
}

std::optional<Operation> parse_atomic_call(TokenStream& ts, Register dst) {
  const AtomicFunction* fn = nullptr;
  for (const auto& f : kAtomicFunctions)
    if (ts.peek().is(f.name)) fn = &f;
  if (!fn || !ts.peek(1).is("(")) return std::nullopt;
  ts.next();
  ts.expect("(");
  int bits = fn->bits;
  Address a;
  if (ts.peek().is("(")) {  // (u64 *)(r1 + 0)
    const int cast_bits = atomic_wide(parse_unsigned_type(ts), ts) ? 64 : 32;
    if (bits != 0 && bits != cast_bits)
      ts.fail(fmt::format("'{}' is a {}-bit operation", fn->name, bits));
    bits = cast_bits;
    a = parse_parenthesized_address(ts);
  } else {  // r1 + 0
    if (bits == 0) ts.fail(fmt::format("'{}' needs a pointer cast such as (u64 *)", fn->name));
    a = parse_address(ts);
  }
  ts.expect(",");
  if (fn->kind == AtomicCall::CompareExchange) {
    if (dst.num != 0 || expect_register(ts).num != 0)
      ts.fail("cmpxchg compares with and returns r0 ('r0 = cmpxchg_64(r1 + 0, r0, r2)')");
    ts.expect(",");
  }
  const uint8_t src = expect_register(ts).num;
  ts.expect(")");
  if (fn->kind != AtomicCall::CompareExchange && src != dst.num)
    ts.fail(fmt::format("'{}' returns its result in the source register r{}", fn->name, src));
  const int32_t imm = fn->kind == AtomicCall::FetchOp ? fn->op | kAtomicFetch : fn->op;
  return Atomic{bits == 64, imm, a.base, a.offset, src};
}

}  // namespace nicsim::ebpf::assembly
