// Conformance (uBPF) text: "mnemonic %rD, operand", 32-bit forms with a "32" suffix.
#include <fmt/format.h>

#include "ebpf/asm/mnemonics.h"
#include "ebpf/asm/printers.h"

namespace nicsim::ebpf::assembly {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};

std::string width_suffix(bool wide) {
  return wide ? "" : "32";
}

std::string operand(const Operand& o) {
  return o.is_register ? fmt::format("%r{}", o.reg) : fmt::to_string(o.imm);
}

// "[%r1]", "[%r1+8]", "[%r10-8]"
std::string memory(uint8_t base, int16_t offset) {
  if (offset == 0) return fmt::format("[%r{}]", base);
  return fmt::format("[%r{}{:+d}]", base, offset);
}

std::string atomic_text(const Atomic& o) {
  const std::string operands = fmt::format("{}, %r{}", memory(o.base, o.offset), o.src);
  if (o.op == kAtomicXchg) return fmt::format("lock xchg{} {}", width_suffix(o.wide), operands);
  if (o.op == kAtomicCmpxchg)
    return fmt::format("lock cmpxchg{} {}", width_suffix(o.wide), operands);
  return fmt::format("lock {}{}{} {}", o.op & kAtomicFetch ? "fetch " : "",
                     find_atomic(o.op & ~kAtomicFetch)->name, width_suffix(o.wide), operands);
}

}  // namespace

std::string print_conformance(const Operation& operation) {
  return std::visit(
      Overloaded{
          [](const AluOp& o) {
            return fmt::format("{}{} %r{}, {}", find_alu(o.op, o.is_signed)->conformance,
                               width_suffix(o.wide), o.dst, operand(o.src));
          },
          [](const MoveSignExtend& o) {
            return fmt::format("movsx{}{} %r{}, %r{}", o.bits, o.wide ? 64 : 32, o.dst, o.src);
          },
          [](const Negate& o) { return fmt::format("neg{} %r{}", width_suffix(o.wide), o.dst); },
          [](const ByteSwap& o) {
            const char* prefix = o.kind == SwapKind::ToBigEndian      ? "be"
                                 : o.kind == SwapKind::ToLittleEndian ? "le"
                                                                      : "bswap";
            return fmt::format("{}{} %r{}", prefix, o.bits, o.dst);
          },
          [](const Load& o) {
            return fmt::format("ldx{}{} %r{}, {}", o.sign_extend ? "s" : "",
                               size_name(o.size).suffix, o.dst, memory(o.base, o.offset));
          },
          [](const Store& o) {
            return fmt::format("st{}{} {}, {}", o.value.is_register ? "x" : "",
                               size_name(o.size).suffix, memory(o.base, o.offset),
                               operand(o.value));
          },
          [](const Atomic& o) { return atomic_text(o); },
          [](const LoadImm64& o) {
            if (o.pseudo == kLddwImm64) return fmt::format("lddw %r{}, 0x{:x}", o.dst, o.value());
            return fmt::format("lddw %r{}, {}", o.dst, lddw_source_text(o));
          },
          [](const LoadFuncAddress& o) {
            return fmt::format("lddw %r{}, func[{}]", o.dst, relative(o.target.offset));
          },
          [](const LegacyLoad& o) {
            const std::string_view suffix = size_name(o.size).suffix;
            if (o.indirect) return fmt::format("ldind{} %r{}, {}", suffix, o.src, o.imm);
            return fmt::format("ldabs{} {}", suffix, o.imm);
          },
          [](const CondJump& o) {
            return fmt::format("{}{} %r{}, {}, {}", find_jump(o.op)->conformance,
                               width_suffix(o.wide), o.dst, operand(o.src),
                               relative(o.target.offset));
          },
          [](const Goto& o) {
            return fmt::format("{} {}", o.long_form ? "ja32" : "ja", relative(o.target.offset));
          },
          [](const CallHelper& o) { return fmt::format("call {}", o.id); },
          [](const CallKfunc& o) { return fmt::format("call kfunc {}", o.btf_id); },
          [](const CallLocal& o) {
            return fmt::format("call local {}", relative(o.target.offset));
          },
          [](const CallIndirect& o) { return fmt::format("call %r{}", o.reg); },
          [](const Exit&) { return std::string("exit"); },
          [](const RawSlot& o) { return fmt::format(".raw 0x{:016x}", o.value); },
      },
      operation);
}

}  // namespace nicsim::ebpf::assembly
