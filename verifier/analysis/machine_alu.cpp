// ALU instructions, moves and lddw: scalar arithmetic through the scalar domain, and the
// kernel's rules for arithmetic on pointers (adjust_ptr_min_max_vals).

#include <fmt/format.h>

#include <bit>

#include "verifier/analysis/alu_op_of.h"
#include "verifier/analysis/machine.h"

namespace nicsim::verifier {

using namespace ebpf;

namespace {

constexpr int64_t kMaxVarOffset = int64_t{1} << 29;  // BPF_MAX_VAR_OFF

const char* alu_string(uint8_t op) {
  static const char* names[] = {"+=",  "-=", "*=", "/=", "|=",   "&=",     "<<=", ">>=",
                                "neg", "%=", "^=", "=",  "s>>=", "endian", "?",   "?"};
  return names[op >> 4];
}

bool same_pointer_family(const RegisterState& a, const RegisterState& b) {
  const auto packet = [](const RegisterState& r) {
    return r.type == RegType::Packet || r.type == RegType::PacketMeta ||
           r.type == RegType::PacketEnd;
  };
  if (packet(a) && packet(b)) return true;
  if (a.type != b.type) return false;
  // Map values are excluded: two values of one map may be separate allocations.
  switch (a.type) {
    case RegType::Stack:
      return a.frame == b.frame;
    case RegType::Ctx:
      return true;
    default:
      return false;
  }
}

// Bits needed to hold the largest value of `v` (the kernel's get_reg_width).
int width_of(const Scalar& v) {
  return 64 - std::countl_zero(v.u64.max);
}

}  // namespace

void Machine::alu(VerifierState& s, int32_t insn) {
  const Instruction& i = ctx_.insns[insn];
  const bool is64 = i.cls() == kClassAlu64;
  const uint8_t op = i.op();
  if (op == kAluMov) {
    mov(s, insn, i, is64);
    return;
  }
  if (op == kAluNeg || op == kAluEnd) {
    const RegisterState dst = use(s, insn, i.dst());
    if (dst.is_pointer()) fail(insn, fmt::format("R{} pointer arithmetic prohibited", i.dst()));
    Scalar result;
    if (op == kAluNeg) {
      result = is64 ? neg64(dst.value) : neg32(dst.value);
    } else {
      const auto bits = static_cast<unsigned>(i.imm);
      if (is64 || i.source() == kSrcX) {
        // bswap (ALU64) and to_be (ALU|X) swap; the host is little endian.
        result = byte_swap(dst.value, bits);
      } else {
        result = dst.value.truncate(bits / 8);  // to_le: truncation only
      }
    }
    define(s, insn, i.dst()) = RegisterState::scalar(result);
    return;
  }

  const AluOp aop = alu_op_of(i);
  RegisterState src;
  if (i.source() == kSrcX) {
    src = use(s, insn, i.src());
  } else {
    const uint64_t imm =
        is64 ? static_cast<uint64_t>(int64_t{i.imm}) : static_cast<uint32_t>(i.imm);
    src = RegisterState::constant(imm);
  }
  const RegisterState dst = use(s, insn, i.dst());
  if (i.source() == kSrcK) {
    const bool sanity = ctx_.options.kernel_sanity_checks;
    if ((op == kAluDiv || op == kAluMod) && i.imm == 0 &&
        (sanity || !ctx_.options.allow_division_by_zero)) {
      fail(insn, "div by zero");
    }
    const int bits = is64 ? 64 : 32;
    if ((op == kAluLsh || op == kAluRsh || op == kAluArsh) && (i.imm < 0 || i.imm >= bits)) {
      if (sanity) fail(insn, fmt::format("invalid shift {}", i.imm));
      // RFC 9669 masks the shift amount to the operand width.
      src = RegisterState::constant(static_cast<uint64_t>(i.imm) & static_cast<uint64_t>(bits - 1));
    }
  }
  if (dst.is_scalar() && src.is_scalar()) {
    if ((op == kAluDiv || op == kAluMod) && !ctx_.options.allow_division_by_zero) {
      if (i.source() == kSrcX) need_precise(s, {i.src()});
      const bool may_be_zero = is64 ? src.value.u64.min == 0 : src.value.u32.min == 0;
      if (may_be_zero) {
        fail(insn, fmt::format("R{} may be zero: possible division by zero", i.src()));
      }
    }
    const Scalar result =
        is64 ? alu64(aop, dst.value, src.value) : alu32(aop, dst.value, src.value);
    define(s, insn, i.dst()) = RegisterState::scalar(result);
    return;
  }
  if (!is64) {
    // The distance between two pointers into one region is a number, not an address.
    const bool distance = dst.is_pointer() && src.is_pointer() && same_pointer_family(dst, src);
    if (op == kAluSub && (ctx_.options.allow_pointer_leaks || distance)) {
      define(s, insn, i.dst()) = RegisterState::scalar(Scalar::unknown_of_size(4));
      return;
    }
    fail(insn, fmt::format("R{} 32-bit pointer arithmetic prohibited", i.dst()));
  }
  if (dst.is_pointer() && src.is_pointer()) {
    if (op == kAluSub && (ctx_.options.allow_pointer_leaks || same_pointer_family(dst, src))) {
      define(s, insn, i.dst()) = RegisterState::unknown_scalar();
      return;
    }
    fail(insn, fmt::format("R{} pointer {} pointer prohibited", i.dst(), alu_string(op)));
  }
  // The pointer's new offset depends on the scalar's exact bounds.
  if (dst.is_pointer()) {
    if (i.source() == kSrcX) need_precise(s, {i.src()});
    pointer_arithmetic(s, insn, i, aop, dst, src, true);
  } else {
    need_precise(s, {i.dst()});
    pointer_arithmetic(s, insn, i, aop, src, dst, false);
  }
}

void Machine::pointer_arithmetic(VerifierState& s, int32_t insn, const Instruction& i, AluOp op,
                                 const RegisterState& ptr, const RegisterState& offset,
                                 bool pointer_is_dst) {
  const int dst = i.dst();
  const std::string type = type_string(ptr);
  if (ptr.maybe_null) {
    fail(insn,
         fmt::format("R{} pointer arithmetic on {} prohibited, null-check it first", dst, type));
  }
  const bool known = offset.value.is_const();
  switch (ptr.type) {
    case RegType::Ctx:
    case RegType::MapValue:
    case RegType::MapKey:
    case RegType::Stack:
    case RegType::PacketMeta:
    case RegType::Packet:
    case RegType::BtfId:
    case RegType::Mem:
    case RegType::Func:
      break;
    case RegType::MapPtr:
      if (known && offset.value.const_value() == 0 && op == AluOp::Add) break;
      [[fallthrough]];
    default:
      fail(insn, fmt::format("R{} pointer arithmetic on {} prohibited", dst, type));
  }
  const auto sane = [&](const RegisterState& r) {
    const Scalar& v = r.value;
    if (v.is_const()) {
      const auto c = static_cast<int64_t>(v.const_value());
      if (c >= kMaxVarOffset || c <= -kMaxVarOffset) {
        fail(insn, fmt::format("math between {} pointer and {} is not allowed", type, c));
      }
    }
    if (r.off >= kMaxVarOffset || r.off <= -kMaxVarOffset) {
      fail(insn, fmt::format("{} pointer offset {} is not allowed", type, r.off));
    }
    if (v.s64.min == INT64_MIN) {
      fail(insn, fmt::format("math between {} pointer and register with unbounded min value "
                             "is not allowed",
                             type));
    }
    if (v.s64.min >= kMaxVarOffset || v.s64.min <= -kMaxVarOffset) {
      fail(insn, fmt::format("value {} makes {} pointer be out of bounds", v.s64.min, type));
    }
  };
  sane(offset);
  sane(ptr);

  RegisterState result = ptr;
  const int64_t k = known ? static_cast<int64_t>(offset.value.const_value()) : 0;
  switch (op) {
    case AluOp::Add:
      if (known && ptr.off + k == static_cast<int32_t>(ptr.off + k)) {
        result.off = static_cast<int32_t>(ptr.off + k);
        break;
      }
      result.value = alu64(AluOp::Add, ptr.value, offset.value);
      if (ptr.is_packet_pointer()) {
        result.id = new_id();
        result.range = 0;
        result.range_proof = -1;
      }
      break;
    case AluOp::Sub:
      if (!pointer_is_dst) {
        fail(insn, fmt::format("R{} tried to subtract pointer from scalar", dst));
      }
      if (ptr.type == RegType::Stack && ctx_.options.kernel_sanity_checks) {
        fail(insn, fmt::format("R{} subtraction from stack pointer prohibited", dst));
      }
      if (known && ptr.off - k == static_cast<int32_t>(ptr.off - k)) {
        result.off = static_cast<int32_t>(ptr.off - k);
        break;
      }
      result.value = alu64(AluOp::Sub, ptr.value, offset.value);
      if (ptr.is_packet_pointer()) {
        result.id = new_id();
        if (offset.value.s64.min < 0) {
          result.range = 0;
          result.range_proof = -1;
        }
      }
      break;
    case AluOp::And:
    case AluOp::Or:
    case AluOp::Xor:
      fail(insn,
           fmt::format("R{} bitwise operator {} on pointer prohibited", dst, alu_string(i.op())));
    default:
      fail(insn, fmt::format("R{} pointer arithmetic with {} operator prohibited", dst,
                             alu_string(i.op())));
  }
  sane(result);
  define(s, insn, dst) = result;
}

void Machine::mov(VerifierState& s, int32_t insn, const Instruction& i, bool is64) {
  const int dst = i.dst();
  if (i.source() == kSrcK) {
    const uint64_t imm =
        is64 ? static_cast<uint64_t>(int64_t{i.imm}) : static_cast<uint32_t>(i.imm);
    define(s, insn, dst) = RegisterState::constant(imm);
    return;
  }
  use(s, insn, i.src());
  RegisterState& src = s.reg(i.src());
  // Copies of a scalar share an id, so that bounds learned on one apply to the other.
  const auto link = [&](bool fits) {
    if (fits && src.is_scalar() && src.id == 0 && !src.value.is_const()) src.id = new_id();
  };
  RegisterState result;
  if (i.offset == 0) {
    if (is64) {
      link(true);
      result = src;
    } else {
      if (src.is_pointer() && !ctx_.options.allow_pointer_leaks) {
        fail(insn, fmt::format("R{} partial copy of pointer", i.src()));
      }
      if (src.is_scalar()) {
        const bool fits = width_of(src.value) <= 32;
        link(fits);
        result = src;
        if (!fits) result.id = 0;
        result.value = src.value.truncate(4);
      } else {
        result = RegisterState::unknown_scalar();
        result.value = Scalar::unknown_of_size(4);
      }
    }
  } else {
    // movsx: sign-extend the low 8, 16 or 32 bits.
    if (src.is_pointer() && !ctx_.options.allow_pointer_leaks) {
      fail(insn, fmt::format("R{} sign-extension part of pointer", i.src()));
    }
    const unsigned bytes = static_cast<unsigned>(i.offset) / 8;
    if (src.is_scalar()) {
      const bool no_sign_change = src.value.u64.max < (uint64_t{1} << (i.offset - 1));
      link(no_sign_change);
      result = src;
      if (!no_sign_change) result.id = 0;
      result.value = src.value.sign_extend(bytes);
      if (!is64) result.value = result.value.truncate(4);
    } else {
      result = RegisterState::unknown_scalar();
      if (!is64) result.value = Scalar::unknown_of_size(4);
    }
  }
  define(s, insn, dst) = result;
}

void Machine::lddw(VerifierState& s, int32_t insn) {
  const Instruction& i = ctx_.insns[insn];
  const Instruction& next = ctx_.insns[insn + 1];
  const int dst = i.dst();
  const auto map_index = [&]() {
    if (i.imm < 0 || i.imm >= static_cast<int32_t>(ctx_.maps.size())) {
      fail(insn, fmt::format("fd {} is not pointing to valid bpf_map", i.imm));
    }
    return i.imm;
  };
  switch (i.src()) {
    case kLddwImm64: {
      const uint64_t v = uint64_t{static_cast<uint32_t>(i.imm)} |
                         (uint64_t{static_cast<uint32_t>(next.imm)} << 32);
      define(s, insn, dst) = RegisterState::constant(v);
      return;
    }
    case kLddwMapFd:
    case kLddwMapIdx: {
      RegisterState r = RegisterState::pointer(RegType::MapPtr);
      r.map = map_index();
      define(s, insn, dst) = r;
      return;
    }
    case kLddwMapValue:
    case kLddwMapIdxValue: {
      const int32_t map = map_index();
      const MapDefinition& def = ctx_.maps[map];
      const auto off = static_cast<uint32_t>(next.imm);
      // Arrays of one element and global data have a fixed value address (a map of
      // unknown type, in test harnesses, cannot be refused on its type).
      const bool direct = (def.type == MapType::Array && def.max_entries == 1) ||
                          def.origin != ebpf::MapOrigin::Declared || def.type == MapType::Unspec;
      if (!direct) fail(insn, "no direct value access support for this map type");
      if (off >= def.value_size) {
        fail(insn, fmt::format("invalid access to map value pointer, value_size={} off={}",
                               def.value_size, off));
      }
      RegisterState r = RegisterState::pointer(RegType::MapValue, static_cast<int32_t>(off));
      r.map = map;
      define(s, insn, dst) = r;
      return;
    }
    case kLddwFunc: {
      RegisterState r = RegisterState::pointer(RegType::Func);
      r.target = insn + i.imm + 1;
      define(s, insn, dst) = r;
      return;
    }
    default:
      fail(insn, "lddw of a kernel variable (BTF id) is not supported by nicsim");
  }
}

}  // namespace nicsim::verifier
