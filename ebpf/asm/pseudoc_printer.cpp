// Pseudo-C text as llvm-objdump prints it, with decimal numbers (lddw constants in hex) and
// the kernel's "call pc+N" for local calls, which llvm-objdump cannot tell from helper calls.
#include <fmt/format.h>

#include "ebpf/asm/mnemonics.h"
#include "ebpf/asm/printers.h"

namespace nicsim::ebpf::assembly {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};

std::string reg(bool wide, uint8_t num) {
  return fmt::format("{}{}", wide ? 'r' : 'w', num);
}

std::string operand(const Operand& o, bool wide) {
  return o.is_register ? reg(wide, o.reg) : fmt::to_string(o.imm);
}

// "r1 + 8", "r10 - 8"
std::string address(uint8_t base, int16_t offset) {
  const int off = offset;
  return fmt::format("r{} {} {}", base, off < 0 ? '-' : '+', off < 0 ? -off : off);
}

// Signed hexadecimal, as llvm-objdump prints lddw constants ("-0x1", "0x1122334455667788").
std::string signed_hex(uint64_t value) {
  if (static_cast<int64_t>(value) < 0) return fmt::format("-0x{:x}", uint64_t{0} - value);
  return fmt::format("0x{:x}", value);
}

std::string atomic_text(const Atomic& o) {
  const std::string type = o.wide ? "u64" : "u32";
  const std::string src = reg(o.wide, o.src);
  const std::string addr = address(o.base, o.offset);
  if (o.op == kAtomicXchg)
    return fmt::format("{} = {}({}, {})", src, o.wide ? "xchg_64" : "xchg32_32", addr, src);
  if (o.op == kAtomicCmpxchg)
    return fmt::format("{} = {}({}, {}, {})", reg(o.wide, 0),
                       o.wide ? "cmpxchg_64" : "cmpxchg32_32", addr, reg(o.wide, 0), src);
  const AtomicName* name = find_atomic(o.op & ~kAtomicFetch);
  if (o.op & kAtomicFetch)
    return fmt::format("{} = atomic_fetch_{}(({} *)({}), {})", src, name->name, type, addr, src);
  return fmt::format("lock *({} *)({}) {} {}", type, addr, name->pseudoc, src);
}

std::string legacy_load_text(const LegacyLoad& o) {
  const std::string_view type = size_name(o.size).unsigned_type;
  if (!o.indirect) return fmt::format("r0 = *({} *)skb[{}]", type, o.imm);
  if (o.imm == 0) return fmt::format("r0 = *({} *)skb[r{}]", type, o.src);
  const int64_t imm = o.imm;
  return fmt::format("r0 = *({} *)skb[r{} {} {}]", type, o.src, imm < 0 ? '-' : '+',
                     imm < 0 ? -imm : imm);
}

}  // namespace

std::string relative(int64_t offset) {
  return fmt::format("{:+d}", offset);
}

std::string lddw_source_text(const LoadImm64& o) {
  const uint32_t id = static_cast<uint32_t>(o.imm);
  const uint32_t value_offset = static_cast<uint32_t>(o.next_imm);
  switch (o.pseudo) {
    case kLddwMapFd:
      return fmt::format("map[id:{}]", id);
    case kLddwMapValue:
      return fmt::format("map[id:{}][0]+{}", id, value_offset);
    case kLddwBtfId:
      return fmt::format("btf_id[{}]", id);
    case kLddwMapIdx:
      return fmt::format("map[idx:{}]", id);
    case kLddwMapIdxValue:
      return fmt::format("map[idx:{}][0]+{}", id, value_offset);
    default:
      return {};
  }
}

std::string print_pseudoc(const Operation& operation) {
  return std::visit(
      Overloaded{
          [](const AluOp& o) {
            const AluName* name = find_alu(o.op, o.is_signed);
            if (o.op == kAluMov)
              return fmt::format("{} = {}", reg(o.wide, o.dst), operand(o.src, o.wide));
            return fmt::format("{} {} {}", reg(o.wide, o.dst), name->pseudoc,
                               operand(o.src, o.wide));
          },
          [](const MoveSignExtend& o) {
            return fmt::format("{} = (s{}){}", reg(o.wide, o.dst), o.bits, reg(o.wide, o.src));
          },
          [](const Negate& o) {
            return fmt::format("{} = -{}", reg(o.wide, o.dst), reg(o.wide, o.dst));
          },
          [](const ByteSwap& o) {
            const char* prefix = o.kind == SwapKind::ToBigEndian      ? "be"
                                 : o.kind == SwapKind::ToLittleEndian ? "le"
                                                                      : "bswap";
            return fmt::format("r{} = {}{} r{}", o.dst, prefix, o.bits, o.dst);
          },
          [](const Load& o) {
            const SizeName& s = size_name(o.size);
            return fmt::format("r{} = *({} *)({})", o.dst,
                               o.sign_extend ? s.signed_type : s.unsigned_type,
                               address(o.base, o.offset));
          },
          [](const Store& o) {
            return fmt::format("*({} *)({}) = {}", size_name(o.size).unsigned_type,
                               address(o.base, o.offset), operand(o.value, true));
          },
          [](const Atomic& o) { return atomic_text(o); },
          [](const LoadImm64& o) {
            if (o.pseudo == kLddwImm64)
              return fmt::format("r{} = {} ll", o.dst, signed_hex(o.value()));
            return fmt::format("r{} = {}", o.dst, lddw_source_text(o));
          },
          [](const LoadFuncAddress& o) {
            return fmt::format("r{} = func[{}]", o.dst, relative(o.target.offset));
          },
          [](const LegacyLoad& o) { return legacy_load_text(o); },
          [](const CondJump& o) {
            return fmt::format("if {} {} {} goto {}", reg(o.wide, o.dst), find_jump(o.op)->pseudoc,
                               operand(o.src, o.wide), relative(o.target.offset));
          },
          [](const Goto& o) {
            return fmt::format("{} {}", o.long_form ? "gotol" : "goto", relative(o.target.offset));
          },
          [](const CallHelper& o) { return fmt::format("call {}", o.id); },
          [](const CallKfunc& o) { return fmt::format("call kfunc {}", o.btf_id); },
          [](const CallLocal& o) { return fmt::format("call pc{}", relative(o.target.offset)); },
          [](const CallIndirect& o) { return fmt::format("callx r{}", o.reg); },
          [](const Exit&) { return std::string("exit"); },
          [](const RawSlot& o) { return fmt::format(".raw 0x{:016x}", o.value); },
      },
      operation);
}

}  // namespace nicsim::ebpf::assembly
