// Operation -> instruction slots, and the small queries the assembler needs about an operation.
#include <type_traits>

#include "ebpf/asm/operation.h"

namespace nicsim::ebpf::assembly {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};

uint8_t alu_class(bool wide) {
  return wide ? kClassAlu64 : kClassAlu;
}
uint8_t jmp_class(bool wide) {
  return wide ? kClassJmp : kClassJmp32;
}

Instruction with_operand(uint8_t opcode_without_source, uint8_t dst, const Operand& src,
                         int16_t offset) {
  if (src.is_register) return make_insn(opcode_without_source | kSrcX, dst, src.reg, offset, 0);
  return make_insn(opcode_without_source | kSrcK, dst, 0, offset, src.imm);
}

int16_t offset16(const Target& t) {
  return static_cast<int16_t>(t.offset);
}
int32_t offset32(const Target& t) {
  return static_cast<int32_t>(t.offset);
}

}  // namespace

size_t slot_count(const Operation& op) {
  return std::holds_alternative<LoadImm64>(op) || std::holds_alternative<LoadFuncAddress>(op) ? 2
                                                                                              : 1;
}

namespace {

template <class Op>
auto* find_target(Op& op) {
  using Result = std::conditional_t<std::is_const_v<Op>, const Target*, Target*>;
  return std::visit(
      [](auto& o) -> Result {
        if constexpr (requires { o.target; })
          return &o.target;
        else
          return nullptr;
      },
      op);
}

}  // namespace

Target* target_of(Operation& op) {
  return find_target(op);
}
const Target* target_of(const Operation& op) {
  return find_target(op);
}

int target_bits(const Operation& op) {
  if (const auto* g = std::get_if<Goto>(&op)) return g->long_form ? 32 : 16;
  if (std::holds_alternative<CondJump>(op)) return 16;
  return 32;  // local calls and function addresses keep the offset in imm
}

void encode(const Operation& operation, std::vector<Instruction>& out) {
  std::visit(
      Overloaded{
          [&](const AluOp& o) {
            const int16_t offset = o.is_signed && (o.op == kAluDiv || o.op == kAluMod) ? 1 : 0;
            out.push_back(with_operand(alu_class(o.wide) | o.op, o.dst, o.src, offset));
          },
          [&](const MoveSignExtend& o) {
            out.push_back(make_insn(alu_class(o.wide) | kAluMov | kSrcX, o.dst, o.src, o.bits, 0));
          },
          [&](const Negate& o) {
            out.push_back(make_insn(alu_class(o.wide) | kAluNeg, o.dst, 0, 0, 0));
          },
          [&](const ByteSwap& o) {
            uint8_t opcode = kClassAlu64 | kAluEnd;
            if (o.kind == SwapKind::ToBigEndian) opcode = kClassAlu | kAluEnd | kSrcX;
            if (o.kind == SwapKind::ToLittleEndian) opcode = kClassAlu | kAluEnd | kSrcK;
            out.push_back(make_insn(opcode, o.dst, 0, 0, o.bits));
          },
          [&](const Load& o) {
            const uint8_t mode = o.sign_extend ? kModeMemsx : kModeMem;
            out.push_back(make_insn(kClassLdx | o.size | mode, o.dst, o.base, o.offset, 0));
          },
          [&](const Store& o) {
            if (o.value.is_register)
              out.push_back(
                  make_insn(kClassStx | o.size | kModeMem, o.base, o.value.reg, o.offset, 0));
            else
              out.push_back(
                  make_insn(kClassSt | o.size | kModeMem, o.base, 0, o.offset, o.value.imm));
          },
          [&](const Atomic& o) {
            const uint8_t size = o.wide ? kSizeDw : kSizeW;
            out.push_back(make_insn(kClassStx | size | kModeAtomic, o.base, o.src, o.offset, o.op));
          },
          [&](const LoadImm64& o) {
            out.push_back(make_insn(kClassLd | kModeImm | kSizeDw, o.dst, o.pseudo, 0, o.imm));
            out.push_back(make_insn(0, 0, 0, 0, o.next_imm));
          },
          [&](const LoadFuncAddress& o) {
            out.push_back(
                make_insn(kClassLd | kModeImm | kSizeDw, o.dst, kLddwFunc, 0, offset32(o.target)));
            out.push_back(make_insn(0, 0, 0, 0, 0));
          },
          [&](const LegacyLoad& o) {
            const uint8_t mode = o.indirect ? kModeInd : kModeAbs;
            out.push_back(make_insn(kClassLd | o.size | mode, 0, o.src, 0, o.imm));
          },
          [&](const CondJump& o) {
            out.push_back(with_operand(jmp_class(o.wide) | o.op, o.dst, o.src, offset16(o.target)));
          },
          [&](const Goto& o) {
            if (o.long_form)
              out.push_back(make_insn(kClassJmp32 | kJmpJa, 0, 0, 0, offset32(o.target)));
            else
              out.push_back(make_insn(kClassJmp | kJmpJa, 0, 0, offset16(o.target), 0));
          },
          [&](const CallHelper& o) {
            out.push_back(make_insn(kClassJmp | kJmpCall, 0, kCallHelper, 0, o.id));
          },
          [&](const CallKfunc& o) {
            out.push_back(make_insn(kClassJmp | kJmpCall, 0, kCallKfunc, 0, o.btf_id));
          },
          [&](const CallLocal& o) {
            out.push_back(make_insn(kClassJmp | kJmpCall, 0, kCallLocal, 0, offset32(o.target)));
          },
          [&](const CallIndirect& o) {
            out.push_back(make_insn(kClassJmp | kJmpCall | kSrcX, o.reg, 0, 0, 0));
          },
          [&](const Exit&) { out.push_back(make_insn(kClassJmp | kJmpExit, 0, 0, 0, 0)); },
          [&](const RawSlot& o) { out.push_back(Instruction::from_raw(o.value)); },
      },
      operation);
}

}  // namespace nicsim::ebpf::assembly
