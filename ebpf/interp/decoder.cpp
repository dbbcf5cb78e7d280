// Instruction -> Slot translation. Runs once per program, so it may switch on opcodes freely;
// everything the loop would otherwise recompute per execution is resolved here.

#include <fmt/format.h>

#include <vector>

#include "ebpf/interp/decoded_program.h"
#include "ebpf/isa/validate.h"
#include "ebpf/runtime/helpers.h"
#include "ebpf/util/error.h"

namespace nicsim::ebpf::interp {

namespace {

[[noreturn]] void refuse(size_t index, const std::string& message) {
  throw Error(fmt::format("insn {}: {}", index, message));
}

Handler offset_handler(Handler base, int delta) {
  return static_cast<Handler>(static_cast<int>(base) + delta);
}

// The four forms of a binary ALU operation are listed consecutively: 32 imm, 32 reg, 64 imm,
// 64 reg (see handler_list.h).
Handler alu_form(Handler base32_imm, const Instruction& insn) {
  return offset_handler(base32_imm,
                        (insn.cls() == kClassAlu64 ? 2 : 0) + (insn.source() == kSrcX ? 1 : 0));
}

Handler decode_alu(const Instruction& insn, size_t index) {
  const bool is64 = insn.cls() == kClassAlu64;
  switch (insn.op()) {
    case kAluAdd:
      return alu_form(Handler::add32_imm, insn);
    case kAluSub:
      return alu_form(Handler::sub32_imm, insn);
    case kAluMul:
      return alu_form(Handler::mul32_imm, insn);
    case kAluDiv:
      return alu_form(insn.offset == 1 ? Handler::sdiv32_imm : Handler::div32_imm, insn);
    case kAluMod:
      return alu_form(insn.offset == 1 ? Handler::smod32_imm : Handler::mod32_imm, insn);
    case kAluOr:
      return alu_form(Handler::or_32_imm, insn);
    case kAluAnd:
      return alu_form(Handler::and_32_imm, insn);
    case kAluXor:
      return alu_form(Handler::xor_32_imm, insn);
    case kAluLsh:
      return alu_form(Handler::lsh32_imm, insn);
    case kAluRsh:
      return alu_form(Handler::rsh32_imm, insn);
    case kAluArsh:
      return alu_form(Handler::arsh32_imm, insn);
    case kAluNeg:
      return is64 ? Handler::neg64 : Handler::neg32;
    case kAluMov:
      switch (insn.offset) {
        case 0:
          return alu_form(Handler::mov32_imm, insn);
        case 8:
          return is64 ? Handler::movsx64_8 : Handler::movsx32_8;
        case 16:
          return is64 ? Handler::movsx64_16 : Handler::movsx32_16;
        default:
          return Handler::movsx64_32;  // validated: only ALU64 has width 32
      }
    case kAluEnd: {
      const int width_index = insn.imm == 16 ? 0 : insn.imm == 32 ? 1 : 2;
      if (is64) return offset_handler(Handler::bswap16, width_index);
      return offset_handler(insn.source() == kSrcX ? Handler::be16 : Handler::le16, width_index);
    }
    default:
      refuse(index, fmt::format("unexpected ALU operation 0x{:02x}", insn.op()));
  }
}

// Conditional jump forms: 64 imm, 64 reg, 32 imm, 32 reg.
Handler jump_form(Handler base_imm, const Instruction& insn) {
  return offset_handler(base_imm,
                        (insn.cls() == kClassJmp32 ? 2 : 0) + (insn.source() == kSrcX ? 1 : 0));
}

Handler decode_condition(const Instruction& insn, size_t index) {
  switch (insn.op()) {
    case kJmpJeq:
      return jump_form(Handler::jeq_imm, insn);
    case kJmpJne:
      return jump_form(Handler::jne_imm, insn);
    case kJmpJset:
      return jump_form(Handler::jset_imm, insn);
    case kJmpJgt:
      return jump_form(Handler::jgt_imm, insn);
    case kJmpJge:
      return jump_form(Handler::jge_imm, insn);
    case kJmpJlt:
      return jump_form(Handler::jlt_imm, insn);
    case kJmpJle:
      return jump_form(Handler::jle_imm, insn);
    case kJmpJsgt:
      return jump_form(Handler::jsgt_imm, insn);
    case kJmpJsge:
      return jump_form(Handler::jsge_imm, insn);
    case kJmpJslt:
      return jump_form(Handler::jslt_imm, insn);
    case kJmpJsle:
      return jump_form(Handler::jsle_imm, insn);
    default:
      refuse(index, fmt::format("unexpected jump operation 0x{:02x}", insn.op()));
  }
}

void decode_helper_call(const Instruction& insn, size_t index, Slot& slot) {
  const int32_t id = insn.imm;
  slot.aux = id;
  if (id == kHelperTailCall) {
    slot.kind = Handler::call_tail;
    return;
  }
  const HelperInfo* info = find_helper(id);
  if (info == nullptr || info->function == nullptr) {
    const std::string_view name = helper_name(id);
    if (name.empty()) refuse(index, fmt::format("call to unknown helper {}", id));
    refuse(index, fmt::format("helper {} ({}) is not implemented by nicsim", id, name));
  }
  slot.kind = Handler::call_helper;
  slot.imm = reinterpret_cast<uint64_t>(info->function);
}

void decode_jump(std::span<const Instruction> insns, size_t index, Slot& slot) {
  const Instruction& insn = insns[index];
  switch (insn.op()) {
    case kJmpJa:
      slot.kind = Handler::ja;
      slot.aux = static_cast<int32_t>(insn.branch_offset() + 1);
      return;
    case kJmpExit:
      slot.kind = Handler::exit;
      return;
    case kJmpCall:
      if (insn.source() == kSrcX) {
        slot.kind = Handler::callx;
        return;
      }
      if (insn.src() == kCallLocal) {
        slot.kind = Handler::call_local;
        slot.aux = insn.imm + 1;
        return;
      }
      if (insn.src() == kCallKfunc)
        refuse(index, fmt::format("kfunc call (BTF id {}) is not supported by nicsim", insn.imm));
      decode_helper_call(insn, index, slot);
      return;
    default:
      slot.kind = decode_condition(insn, index);
      slot.imm = static_cast<uint64_t>(static_cast<int64_t>(insn.imm));
      slot.aux = insn.offset + 1;
      return;
  }
}

// The value of map `map_index`'s key 0, which a `lddw rX, map_value` points into.
uint64_t map_value_address(Runtime& runtime, size_t index, uint32_t map_index, uint32_t offset) {
  Map& map = runtime.map(map_index);
  const MapDefinition& def = map.def();
  const std::vector<uint8_t> zero_key(def.key_size, 0);
  void* value = map.lookup(zero_key.data());
  if (value == nullptr)
    refuse(index, fmt::format("map '{}' has no value at key 0 for lddw map_value", def.name));
  if (offset >= def.value_size)
    refuse(index, fmt::format("offset {} is outside the {}-byte value of map '{}'", offset,
                              def.value_size, def.name));
  return reinterpret_cast<uint64_t>(value) + offset;
}

void decode_lddw(std::span<const Instruction> insns, size_t index, Runtime& runtime,
                 DecodedProgram& decoded) {
  const Instruction& insn = insns[index];
  const Instruction& next = insns[index + 1];
  Slot& slot = decoded.slots[index];
  slot.kind = Handler::lddw;
  decoded.slots[index + 1].kind = Handler::lddw_second_slot;
  const auto low = static_cast<uint32_t>(insn.imm);
  const auto high = static_cast<uint32_t>(next.imm);
  switch (insn.src()) {
    case kLddwImm64:
      slot.imm = (uint64_t{high} << 32) | low;
      return;
    case kLddwMapFd:
    case kLddwMapIdx:
    case kLddwMapValue:
    case kLddwMapIdxValue: {
      if (low >= runtime.map_count())
        refuse(index, fmt::format("lddw refers to map {} but the object has {} map(s)", low,
                                  runtime.map_count()));
      const bool value = insn.src() == kLddwMapValue || insn.src() == kLddwMapIdxValue;
      slot.imm = value ? map_value_address(runtime, index, low, high) : runtime.map_pointer(low);
      return;
    }
    case kLddwBtfId:
      slot.kind = Handler::lddw_btf;
      return;
    case kLddwFunc: {
      const int64_t target = static_cast<int64_t>(index) + insn.imm + 1;
      if (target < 0 || target >= static_cast<int64_t>(insns.size()) ||
          decoded.slots[static_cast<size_t>(target)].kind == Handler::lddw_second_slot)
        refuse(index,
               fmt::format("lddw function address: target insn {} is not an instruction", target));
      slot.imm = decoded.code_address(static_cast<size_t>(target));
      return;
    }
    default:
      refuse(index, fmt::format("invalid lddw source {}", insn.src()));
  }
}

Handler load_handler(const Instruction& insn) {
  const bool sign = insn.mode() == kModeMemsx;
  switch (insn.size()) {
    case kSizeB:
      return sign ? Handler::ldxsb : Handler::ldxb;
    case kSizeH:
      return sign ? Handler::ldxsh : Handler::ldxh;
    case kSizeW:
      return sign ? Handler::ldxsw : Handler::ldxw;
    default:
      return Handler::ldxdw;
  }
}

int size_index(const Instruction& insn) {
  switch (insn.size()) {
    case kSizeB:
      return 0;
    case kSizeH:
      return 1;
    case kSizeW:
      return 2;
    default:
      return 3;
  }
}

Handler decode_atomic(const Instruction& insn, size_t index) {
  Handler base;
  switch (insn.imm) {
    case kAtomicAdd:
      base = Handler::atomic32_add;
      break;
    case kAtomicOr:
      base = Handler::atomic32_or_;
      break;
    case kAtomicAnd:
      base = Handler::atomic32_and_;
      break;
    case kAtomicXor:
      base = Handler::atomic32_xor_;
      break;
    case kAtomicAdd | kAtomicFetch:
      base = Handler::atomic32_fetch_add;
      break;
    case kAtomicOr | kAtomicFetch:
      base = Handler::atomic32_fetch_or;
      break;
    case kAtomicAnd | kAtomicFetch:
      base = Handler::atomic32_fetch_and;
      break;
    case kAtomicXor | kAtomicFetch:
      base = Handler::atomic32_fetch_xor;
      break;
    case kAtomicXchg:
      base = Handler::atomic32_xchg;
      break;
    case kAtomicCmpxchg:
      base = Handler::atomic32_cmpxchg;
      break;
    default:
      refuse(index, fmt::format("unexpected atomic operation 0x{:x}", insn.imm));
  }
  // Fetching forms write the old value into src (cmpxchg into r0); the frame pointer is
  // read-only, which the encoding rules alone do not catch here.
  if ((insn.imm & kAtomicFetch) != 0 && insn.imm != kAtomicCmpxchg && insn.src() == kFrameRegister)
    refuse(index, "atomic fetch would write the read-only frame pointer r10");
  return offset_handler(base, insn.size() == kSizeDw ? 1 : 0);
}

void decode_slot(std::span<const Instruction> insns, size_t index, Runtime& runtime,
                 DecodedProgram& decoded) {
  const Instruction& insn = insns[index];
  Slot& slot = decoded.slots[index];
  slot.dst = insn.dst();
  slot.src = insn.src();
  switch (insn.cls()) {
    case kClassAlu:
    case kClassAlu64:
      slot.kind = decode_alu(insn, index);
      slot.imm = static_cast<uint64_t>(static_cast<int64_t>(insn.imm));
      return;
    case kClassJmp:
    case kClassJmp32:
      decode_jump(insns, index, slot);
      return;
    case kClassLd:
      if (insn.is_lddw()) {
        decode_lddw(insns, index, runtime, decoded);
        return;
      }
      slot.kind = offset_handler(insn.mode() == kModeAbs ? Handler::ld_abs_b : Handler::ld_ind_b,
                                 size_index(insn));
      slot.imm = static_cast<uint64_t>(static_cast<int64_t>(insn.imm));
      return;
    case kClassLdx:
      slot.kind = load_handler(insn);
      slot.aux = insn.offset;
      return;
    case kClassSt:
      slot.kind = offset_handler(Handler::stb, size_index(insn));
      slot.aux = insn.offset;
      slot.imm = static_cast<uint64_t>(static_cast<int64_t>(insn.imm));
      return;
    default:  // STX
      slot.aux = insn.offset;
      slot.kind = insn.mode() == kModeAtomic ? decode_atomic(insn, index)
                                             : offset_handler(Handler::stxb, size_index(insn));
      return;
  }
}

int find_object_index(const Program& program, const Runtime& runtime) {
  const auto& programs = runtime.object().programs;
  for (size_t i = 0; i < programs.size(); ++i) {
    if (&programs[i] == &program) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

const Slot* DecodedProgram::slot_at(uint64_t address) const {
  const auto base = reinterpret_cast<uint64_t>(slots.data());
  const uint64_t delta = address - base;
  if (address < base || delta >= instruction_count() * sizeof(Slot) || delta % sizeof(Slot) != 0)
    return nullptr;
  return slots.data() + delta / sizeof(Slot);
}

std::unique_ptr<DecodedProgram> decode_program(const Program& program, Runtime& runtime) {
  const std::span<const Instruction> insns = program.insns;
  validate_instructions(insns);
  auto decoded = std::make_unique<DecodedProgram>();
  decoded->program = &program;
  decoded->object_index = find_object_index(program, runtime);
  // Sized once: code addresses (lddw func) point into this storage, so it must never move.
  decoded->slots.resize(insns.size() + 1);
  decoded->slots.back().kind = Handler::past_the_end;
  // Second slots first, so that lddw func targets can be checked against them.
  for (size_t i = 0; i < insns.size(); i += insns[i].is_lddw() ? 2 : 1) {
    if (insns[i].is_lddw()) decoded->slots[i + 1].kind = Handler::lddw_second_slot;
  }
  for (size_t i = 0; i < insns.size(); i += insns[i].is_lddw() ? 2 : 1) {
    decode_slot(insns, i, runtime, *decoded);
  }
  bind_handlers(decoded->slots);
  return decoded;
}

}  // namespace nicsim::ebpf::interp
