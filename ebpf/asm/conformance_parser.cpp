// The bpf_conformance / uBPF syntax: "mnemonic operand, operand, ...", registers as %rN,
// memory as [%rN+off], 32-bit variants with a "32" suffix.
#include <fmt/format.h>

#include <string>
#include <unordered_map>

#include "ebpf/asm/mnemonics.h"
#include "ebpf/asm/operands.h"
#include "ebpf/asm/parsers.h"

namespace nicsim::ebpf::assembly {

namespace {

enum class Form {
  Alu,
  Negate,
  MoveSignExtend,
  Swap,
  Load,
  StoreImm,
  StoreReg,
  LegacyAbs,
  LegacyInd,
  Lddw,
  Jump,
  Goto,
  GotoLong,
  Lock
};

struct Mnemonic {
  Form form = Form::Alu;
  uint8_t op = 0;
  bool wide = true;
  bool flag = false;  // Alu: signed div/mod; Load: sign extension
  uint8_t size = 0;   // memory access size, or movsx source width
  ByteSwap swap;
};

using MnemonicTable = std::unordered_map<std::string, Mnemonic>;

Mnemonic form_of(Form form, uint8_t op = 0, bool flag = false, uint8_t size = 0) {
  Mnemonic m;
  m.form = form;
  m.op = op;
  m.flag = flag;
  m.size = size;
  return m;
}

// "add" and "add64" are 64-bit, "add32" is 32-bit.
void add_sized(MnemonicTable& t, std::string_view base, Mnemonic m) {
  t[std::string(base)] = m;
  t[fmt::format("{}64", base)] = m;
  m.wide = false;
  t[fmt::format("{}32", base)] = m;
}

MnemonicTable build_table() {
  MnemonicTable t;
  for (const auto& n : kAluNames)
    add_sized(t, n.conformance, form_of(Form::Alu, n.op, n.is_signed));
  add_sized(t, "neg", form_of(Form::Negate));
  struct MovSx {
    std::string_view name;
    bool wide;
    uint8_t bits;
  };
  for (const MovSx& m :
       {MovSx{"movsx832", false, 8}, MovSx{"movsx1632", false, 16}, MovSx{"movsx864", true, 8},
        MovSx{"movsx1664", true, 16}, MovSx{"movsx3264", true, 32}}) {
    Mnemonic entry = form_of(Form::MoveSignExtend, 0, false, m.bits);
    entry.wide = m.wide;
    t[std::string(m.name)] = entry;
  }
  for (std::string_view prefix : {"be", "le", "bswap", "swap"}) {
    for (std::string_view bits : {"16", "32", "64"}) {
      const std::string name = fmt::format("{}{}", prefix, bits);
      Mnemonic entry = form_of(Form::Swap);
      entry.swap = *swap_from_name(name);
      t[name] = entry;
    }
  }
  for (const auto& s : kSizeNames) {
    t[fmt::format("ldx{}", s.suffix)] = form_of(Form::Load, 0, false, s.size);
    t[fmt::format("st{}", s.suffix)] = form_of(Form::StoreImm, 0, false, s.size);
    t[fmt::format("stx{}", s.suffix)] = form_of(Form::StoreReg, 0, false, s.size);
    if (s.size == kSizeDw) continue;
    t[fmt::format("ldxs{}", s.suffix)] = form_of(Form::Load, 0, true, s.size);
    t[fmt::format("ldabs{}", s.suffix)] = form_of(Form::LegacyAbs, 0, false, s.size);
    t[fmt::format("ldind{}", s.suffix)] = form_of(Form::LegacyInd, 0, false, s.size);
  }
  t["lddw"] = form_of(Form::Lddw);
  for (const auto& n : kJumpNames)
    add_sized(t, n.conformance, form_of(Form::Jump, n.op));
  t["ja"] = form_of(Form::Goto);
  t["ja32"] = form_of(Form::GotoLong);
  t["lock"] = form_of(Form::Lock);
  return t;
}

const MnemonicTable& table() {
  static const MnemonicTable t = build_table();
  return t;
}

struct Address {
  uint8_t base = 0;
  int16_t offset = 0;
};

// [%rN], [%rN+off], [%rN-off]
Address parse_memory(TokenStream& ts) {
  ts.expect("[");
  Address a;
  a.base = expect_register(ts).num;
  if (ts.peek().is("+") || ts.peek().is("-"))
    a.offset = to_offset16(expect_number(ts, "an offset"), ts);
  ts.expect("]");
  return a;
}

Operand parse_operand(TokenStream& ts) {
  if (is_register(ts.peek())) return Operand::from_register(expect_register(ts).num);
  return Operand::from_immediate(to_imm32(expect_number(ts, "a register or an immediate"), ts));
}

uint8_t parse_dst(TokenStream& ts) {
  return expect_register(ts).num;
}

// lock [fetch] add|or|and|xor|xchg|cmpxchg[32] [%rN+off], %rM
Operation parse_lock(TokenStream& ts) {
  const bool fetch = ts.accept("fetch");
  std::string_view name = ts.expect_identifier("an atomic operation");
  bool wide = true;
  if (name.ends_with("32") || name.ends_with("64")) {
    wide = name.ends_with("64");
    name.remove_suffix(2);
  }
  int32_t op = 0;
  if (name == "xchg") {
    op = kAtomicXchg;
  } else if (name == "cmpxchg") {
    op = kAtomicCmpxchg;
  } else {
    const AtomicName* found = nullptr;
    for (const auto& n : kAtomicNames)
      if (n.name == name) found = &n;
    if (!found) ts.fail(fmt::format("unknown atomic operation '{}'", name));
    op = found->op | (fetch ? kAtomicFetch : 0);
  }
  const Address a = parse_memory(ts);
  ts.expect(",");
  return Atomic{wide, op, a.base, a.offset, expect_register(ts).num};
}

Operation parse_form(const Mnemonic& m, TokenStream& ts) {
  switch (m.form) {
    case Form::Alu: {
      const uint8_t dst = parse_dst(ts);
      ts.expect(",");
      return AluOp{m.wide, m.op, dst, parse_operand(ts), m.flag};
    }
    case Form::Negate:
      return Negate{m.wide, parse_dst(ts)};
    case Form::MoveSignExtend: {
      const uint8_t dst = parse_dst(ts);
      ts.expect(",");
      return MoveSignExtend{m.wide, dst, expect_register(ts).num, m.size};
    }
    case Form::Swap: {
      ByteSwap swap = m.swap;
      swap.dst = parse_dst(ts);
      return swap;
    }
    case Form::Load: {
      const uint8_t dst = parse_dst(ts);
      ts.expect(",");
      const Address a = parse_memory(ts);
      return Load{m.size, m.flag, dst, a.base, a.offset};
    }
    case Form::StoreImm:
    case Form::StoreReg: {
      const Address a = parse_memory(ts);
      ts.expect(",");
      const Operand value =
          m.form == Form::StoreReg
              ? Operand::from_register(expect_register(ts).num)
              : Operand::from_immediate(to_imm32(expect_number(ts, "an immediate"), ts));
      return Store{m.size, a.base, a.offset, value};
    }
    case Form::LegacyAbs:
      return LegacyLoad{m.size, false, 0, to_imm32(expect_number(ts, "a packet offset"), ts)};
    case Form::LegacyInd: {
      const uint8_t src = expect_register(ts).num;
      ts.expect(",");
      return LegacyLoad{m.size, true, src, to_imm32(expect_number(ts, "a packet offset"), ts)};
    }
    case Form::Lddw: {
      const uint8_t dst = parse_dst(ts);
      ts.expect(",");
      if (auto pseudo = parse_lddw_pseudo(ts, dst)) return *pseudo;
      const uint64_t value = to_imm64(expect_number(ts, "a 64-bit immediate"), ts);
      return LoadImm64{dst, kLddwImm64, static_cast<int32_t>(static_cast<uint32_t>(value)),
                       static_cast<int32_t>(static_cast<uint32_t>(value >> 32))};
    }
    case Form::Jump: {
      const uint8_t dst = parse_dst(ts);
      ts.expect(",");
      const Operand src = parse_operand(ts);
      ts.expect(",");
      return CondJump{m.wide, m.op, dst, src, parse_target(ts)};
    }
    case Form::Goto:
      return Goto{false, parse_target(ts)};
    case Form::GotoLong:
      return Goto{true, parse_target(ts)};
    case Form::Lock:
      return parse_lock(ts);
  }
  ts.fail("internal error: unhandled mnemonic form");
}

}  // namespace

bool is_conformance_mnemonic(std::string_view word) {
  return table().contains(std::string(word));
}

Operation parse_conformance(TokenStream& ts) {
  if (auto common = parse_common(ts)) return *common;
  const Token head = ts.next();
  if (!head.is_identifier())
    ts.fail(fmt::format("expected a mnemonic but found {}", TokenStream::describe(head)));
  const auto it = table().find(std::string(head.text));
  if (it == table().end()) ts.fail(fmt::format("unknown mnemonic '{}'", head.text));
  return parse_form(it->second, ts);
}

}  // namespace nicsim::ebpf::assembly
