// Loads, stores and atomics: the region a pointer designates decides the rules (the
// kernel's check_mem_access). Stack accesses live in machine_stack.cpp.

#include <fmt/format.h>

#include <bit>
#include <cstring>

#include "verifier/analysis/machine.h"

namespace nicsim::verifier {

using namespace ebpf;

namespace {

constexpr int64_t kMaxVarOffset = int64_t{1} << 29;

bool is_leak(const RegisterState* value, const VerifierOptions& options) {
  return value != nullptr && value->is_pointer() && !options.allow_pointer_leaks;
}

// A loaded number of `size` bytes, zero- or sign-extended.
RegisterState loaded_scalar(int size, bool sign_extend) {
  Scalar v = Scalar::unknown_of_size(static_cast<unsigned>(size));
  if (sign_extend) v = v.sign_extend(static_cast<unsigned>(size));
  return RegisterState::scalar(v);
}

// struct bpf_tcp_sock: u32 fields, with the u64 counters bytes_received and bytes_acked at
// 80 and 88, up to icsk_retransmits (ending at 112).
bool tcp_sock_access_ok(int64_t off, int size) {
  if (off < 0 || off >= 112 || off % size != 0) return false;
  if (off == 80 || off == 88) return size == 8;
  return size == 4;
}

}  // namespace

void Machine::check_region(int32_t insn, int regno, const RegisterState& ptr, int32_t off, int size,
                           uint32_t region_size, bool zero_size_allowed) const {
  const Scalar& var = ptr.value;
  const int64_t fixed = int64_t{off} + ptr.off;
  const auto out_of_range = [&](int64_t at) {
    const bool size_ok = size > 0 || (size == 0 && zero_size_allowed);
    return !(at >= 0 && size_ok && at + size <= int64_t{region_size});
  };
  const auto region_message = [&](int64_t at) {
    switch (ptr.type) {
      case RegType::MapKey:
        return fmt::format("invalid access to map key, key_size={} off={} size={}", region_size, at,
                           size);
      case RegType::MapValue:
        return fmt::format("invalid access to map value, value_size={} off={} size={}", region_size,
                           at, size);
      default:
        return fmt::format("invalid access to memory, mem_size={} off={} size={}", region_size, at,
                           size);
    }
  };
  if (var.s64.min < 0 &&
      (var.s64.min == INT64_MIN || fixed + var.s64.min != int64_t{int32_t(fixed + var.s64.min)} ||
       var.s64.min + fixed < 0)) {
    fail(insn, fmt::format("R{} min value is negative, either use unsigned index or do a if "
                           "(index >=0) check.",
                           regno));
  }
  const int64_t low = var.s64.min + fixed;
  if (out_of_range(low)) {
    fail(insn, var.is_const()
                   ? region_message(low)
                   : region_message(low) + fmt::format(" (R{} min value is outside of the allowed "
                                                       "memory range)",
                                                       regno));
  }
  if (var.u64.max >= static_cast<uint64_t>(kMaxVarOffset)) {
    fail(insn, fmt::format("R{} unbounded memory access, make sure to bounds check any such "
                           "access",
                           regno));
  }
  const int64_t high = static_cast<int64_t>(var.u64.max) + fixed;
  if (out_of_range(high)) {
    fail(insn, region_message(high) +
                   fmt::format(" (R{} max value is outside of the allowed memory range)", regno));
  }
}

void Machine::note_stack_access(const VerifierState&, const RegisterState& ptr, int32_t off,
                                Step& step) const {
  if (ptr.type != RegType::Stack || ptr.maybe_null) return;
  if (!ptr.value.is_const()) {
    step.stack_variable = true;
    return;
  }
  const int64_t at = int64_t{off} + ptr.off + static_cast<int64_t>(ptr.value.const_value());
  if (at < -kStackBytes || at >= 0) return;
  step.stack_frame = ptr.frame;
  step.stack_slot = static_cast<int16_t>(slot_index(static_cast<int>(at)));
}

void Machine::load(VerifierState& s, int32_t insn, Step& step) {
  const Instruction& i = ctx_.insns[insn];
  const int size = access_size(i);
  const bool sign_extend = i.mode() == kModeMemsx;
  use(s, insn, i.src());
  note_stack_access(s, s.reg(i.src()), i.offset, step);
  if (i.dst() == kFramePointer) fail(insn, "frame pointer is read only");
  RegisterState value =
      access(s, insn, i.src(), i.offset, size, false, nullptr, i.dst(), std::nullopt, sign_extend);
  if (value.is_scalar() && size < 8) {
    // A narrowing fill breaks the link with the spilled register's copies.
    if (sign_extend || 64 - std::countl_zero(value.value.u64.max) > size * 8) value.id = 0;
    value.value = sign_extend ? value.value.sign_extend(static_cast<unsigned>(size))
                              : value.value.truncate(static_cast<unsigned>(size));
  }
  define(s, insn, i.dst()) = value;
}

void Machine::store(VerifierState& s, int32_t insn, Step& step) {
  const Instruction& i = ctx_.insns[insn];
  const int size = access_size(i);
  use(s, insn, i.dst());
  note_stack_access(s, s.reg(i.dst()), i.offset, step);
  if (i.cls() == kClassStx) {
    const RegisterState value = use(s, insn, i.src());
    access(s, insn, i.dst(), i.offset, size, true, &value, i.src(), std::nullopt, false);
  } else {
    const auto imm = static_cast<uint64_t>(int64_t{i.imm});
    access(s, insn, i.dst(), i.offset, size, true, nullptr, -1, imm, false);
  }
}

RegisterState Machine::access(VerifierState& s, int32_t insn, int regno, int32_t off, int size,
                              bool write, const RegisterState* value, int value_regno,
                              std::optional<uint64_t> imm, bool sign_extend) {
  const RegisterState ptr = s.reg(regno);
  if (ptr.maybe_null || !ptr.is_pointer()) {
    fail(insn, fmt::format("R{} invalid mem access '{}'", regno, type_string(ptr)) +
                   (ptr.invalidated_at >= 0
                        ? fmt::format(" (R{} was a packet pointer, invalidated by the helper "
                                      "call at insn {})",
                                      regno, ptr.invalidated_at)
                        : std::string()));
  }
  switch (ptr.type) {
    case RegType::Stack:
      if (write) {
        stack_write(s, insn, regno, ptr, off, size, value, imm);
        return {};
      }
      return stack_read(s, insn, regno, ptr, off, size);
    case RegType::Ctx:
      if (write && is_leak(value, ctx_.options)) {
        fail(insn, fmt::format("R{} leaks addr into ctx", value_regno));
      }
      return ctx_access(s, insn, regno, ptr, off, size, write, value_regno, sign_extend);
    case RegType::Packet:
    case RegType::PacketMeta:
      if (write && !ctx_.type.packet_writable()) fail(insn, "cannot write into packet");
      if (write && is_leak(value, ctx_.options)) {
        fail(insn, fmt::format("R{} leaks addr into packet", value_regno));
      }
      return packet_access(s, insn, regno, ptr, off, size, write, value_regno);
    case RegType::MapValue:
    case RegType::MapKey:
    case RegType::Mem: {
      if (write && is_leak(value, ctx_.options)) {
        fail(insn, fmt::format("R{} leaks addr into {}", value_regno,
                               ptr.type == RegType::MapValue ? "map" : "mem"));
      }
      RegisterState r = region_access(s, insn, regno, ptr, off, size, write, value_regno);
      if (sign_extend && r.is_scalar()) r.value = r.value.sign_extend(static_cast<unsigned>(size));
      return r;
    }
    case RegType::Socket:
    case RegType::SockCommon:
    case RegType::TcpSock:
      return socket_access(insn, regno, ptr, off, size, write);
    default:
      fail(insn, fmt::format("R{} invalid mem access '{}'", regno, type_string(ptr)));
  }
}

RegisterState Machine::ctx_access(VerifierState&, int32_t insn, int regno, const RegisterState& ptr,
                                  int32_t off, int size, bool write, int, bool sign_extend) {
  if (ptr.off < 0) {
    fail(insn, fmt::format("negative offset ctx ptr R{} off={} disallowed", regno, ptr.off));
  }
  if (ptr.off != 0) {
    fail(insn,
         fmt::format("dereference of modified ctx ptr R{} off={} disallowed", regno, ptr.off));
  }
  if (!ptr.value.is_const() || ptr.value.const_value() != 0) {
    fail(insn,
         fmt::format("variable ctx access var_off={} disallowed", ptr.value.bits.to_string()));
  }
  const auto field = ctx_.type.context_access(off, size, write, sign_extend);
  if (!field) fail(insn, fmt::format("invalid bpf_context access off={} size={}", off, size));
  if (write) return {};
  switch (field->value) {
    case CtxValue::Packet:
      return RegisterState::pointer(RegType::Packet);
    case CtxValue::PacketEnd:
      return RegisterState::pointer(RegType::PacketEnd);
    case CtxValue::PacketMeta:
      return RegisterState::pointer(RegType::PacketMeta);
    case CtxValue::SocketOrNull:
    case CtxValue::SockCommonOrNull: {
      RegisterState r = RegisterState::pointer(
          field->value == CtxValue::SocketOrNull ? RegType::Socket : RegType::SockCommon);
      r.maybe_null = true;
      r.id = new_id();
      return r;
    }
    case CtxValue::Unusable:
      return RegisterState{};
    case CtxValue::Scalar:
      break;
  }
  return loaded_scalar(size, sign_extend);
}

RegisterState Machine::packet_access(VerifierState&, int32_t insn, int regno,
                                     const RegisterState& ptr, int32_t off, int size, bool, int) {
  if (ptr.value.s64.min < 0) {
    fail(insn, fmt::format("R{} min value is negative, either use unsigned index or do a if "
                           "(index >=0) check.",
                           regno));
  }
  const int64_t at = int64_t{off} + ptr.off;
  if (at < 0 || at + size > int64_t{ptr.range}) {
    fail(insn, fmt::format("invalid access to packet, off={} size={}, R{}(id={},off={},r={}) "
                           "(R{} offset is outside of the packet)",
                           at, size, regno, ptr.id, at, ptr.range, regno));
  }
  observer_.on_packet_access(insn, ptr.range_proof);
  return loaded_scalar(size, false);
}

RegisterState Machine::region_access(VerifierState&, int32_t insn, int regno,
                                     const RegisterState& ptr, int32_t off, int size, bool write,
                                     int) {
  switch (ptr.type) {
    case RegType::MapKey:
      if (write) fail(insn, fmt::format("write to change key R{} not allowed", regno));
      check_region(insn, regno, ptr, off, size, ptr.mem_size, false);
      return loaded_scalar(size, false);
    case RegType::Mem:
      if (write && ptr.read_only) {
        fail(insn, fmt::format("R{} cannot write into {}", regno, type_string(ptr)));
      }
      check_region(insn, regno, ptr, off, size, ptr.mem_size, false);
      return loaded_scalar(size, false);
    default:
      break;
  }
  const MapDefinition& def = ctx_.maps[ptr.map];
  if (write && def.program_read_only()) {
    fail(insn, fmt::format("write into map forbidden, value_size={} off={} size={}", def.value_size,
                           int64_t{off} + ptr.off, size));
  }
  check_region(insn, regno, ptr, off, size, def.value_size, false);
  if (write) return {};
  // Read-only global data is constant: a load at a known offset yields its value.
  if (def.read_only() && ptr.value.is_const() && def.initial_value.size() >= def.value_size) {
    const int64_t at = int64_t{off} + ptr.off + static_cast<int64_t>(ptr.value.const_value());
    uint64_t v = 0;
    std::memcpy(&v, def.initial_value.data() + at, static_cast<size_t>(size));
    return RegisterState::constant(v);
  }
  return loaded_scalar(size, false);
}

RegisterState Machine::socket_access(int32_t insn, int regno, const RegisterState& ptr, int32_t off,
                                     int size, bool write) {
  if (write) fail(insn, fmt::format("R{} cannot write into {}", regno, type_string(ptr)));
  if (ptr.value.s64.min < 0) {
    fail(insn, fmt::format("R{} min value is negative, either use unsigned index or do a if "
                           "(index >=0) check.",
                           regno));
  }
  const int64_t at = int64_t{off} + ptr.off;
  bool ok = false;
  switch (ptr.type) {
    case RegType::TcpSock:
      ok = tcp_sock_access_ok(at, size);
      break;
    case RegType::SockCommon:
      // The common part excludes type..priority (offsets 8 to 23).
      ok = !(at >= 8 && at < 24) && ctx_.platform.program_type(ProgramType::CgroupSock) &&
           ctx_.platform.program_type(ProgramType::CgroupSock)
               ->context_access(at, size, false, false)
               .has_value();
      break;
    default:
      ok = ctx_.platform.program_type(ProgramType::CgroupSock) &&
           ctx_.platform.program_type(ProgramType::CgroupSock)
               ->context_access(at, size, false, false)
               .has_value();
  }
  if (!ok) {
    fail(insn,
         fmt::format("R{} invalid {} access off={} size={}", regno, type_string(ptr), at, size));
  }
  return loaded_scalar(size, false);
}

void Machine::atomic(VerifierState& s, int32_t insn, Step& step) {
  const Instruction& i = ctx_.insns[insn];
  const int size = access_size(i);
  if (size != 4 && size != 8) fail(insn, "invalid atomic operand size");
  const int32_t op = i.imm;
  const bool valid = op == kAtomicAdd || op == kAtomicOr || op == kAtomicAnd || op == kAtomicXor ||
                     op == (kAtomicAdd | kAtomicFetch) || op == (kAtomicOr | kAtomicFetch) ||
                     op == (kAtomicAnd | kAtomicFetch) || op == (kAtomicXor | kAtomicFetch) ||
                     op == kAtomicXchg || op == kAtomicCmpxchg;
  if (!valid) fail(insn, fmt::format("BPF_ATOMIC uses invalid atomic opcode {:02x}", op));
  const RegisterState src = use(s, insn, i.src());
  if (op == kAtomicCmpxchg) {
    const RegisterState r0 = use(s, insn, 0);
    if (r0.is_pointer() && !ctx_.options.allow_pointer_leaks) {
      fail(insn, "R0 leaks addr into mem");
    }
  }
  if (src.is_pointer() && !ctx_.options.allow_pointer_leaks) {
    fail(insn, fmt::format("R{} leaks addr into mem", i.src()));
  }
  const RegisterState base = use(s, insn, i.dst());
  note_stack_access(s, base, i.offset, step);
  const bool allowed_region =
      !base.maybe_null && (base.type == RegType::Stack || base.type == RegType::MapValue ||
                           (base.type == RegType::Mem && !base.read_only));
  if (!allowed_region && base.is_pointer() && !base.maybe_null) {
    fail(insn,
         fmt::format("BPF_ATOMIC stores into R{} {} is not allowed", i.dst(), type_string(base)));
  }
  const int load_reg = op == kAtomicCmpxchg ? 0 : i.src();
  atomic_access_ = true;
  struct Reset {
    bool& flag;
    ~Reset() { flag = false; }
  } reset{atomic_access_};
  RegisterState old =
      access(s, insn, i.dst(), i.offset, size, false, nullptr, load_reg, std::nullopt, false);
  if (old.is_pointer() && !ctx_.options.allow_pointer_leaks) {
    fail(insn, fmt::format(
                   "leaking pointer from stack off {}",
                   int64_t{i.offset} + base.off + static_cast<int64_t>(base.value.const_value())));
  }
  access(s, insn, i.dst(), i.offset, size, true, nullptr, -1, std::nullopt, false);
  if (op & kAtomicFetch) {
    RegisterState result = old.is_scalar() ? old : RegisterState::unknown_scalar();
    result.id = 0;
    result.value = result.value.truncate(static_cast<unsigned>(size));
    define(s, insn, load_reg) = result;
  }
}

void Machine::legacy_packet_load(VerifierState& s, int32_t insn) {
  const Instruction& i = ctx_.insns[insn];
  if (!ctx_.type.legacy_packet_loads()) {
    fail(insn, "BPF_LD_[ABS|IND] instructions not allowed for this program type");
  }
  if (!s.refs.empty()) {
    fail(insn, "BPF_LD_[ABS|IND] cannot be mixed with socket references");
  }
  if (i.mode() == kModeInd) use(s, insn, i.src());
  const RegisterState& ctx = use(s, insn, 6);
  if (ctx.type != RegType::Ctx) {
    fail(insn, "at the time of BPF_LD_ABS|IND R6 != pointer to skb");
  }
  // Like a helper call: the caller-saved registers are clobbered.
  for (int r = 1; r <= 5; ++r)
    define(s, insn, r) = RegisterState{};
  define(s, insn, 0) = loaded_scalar(access_size(i), false);
}

}  // namespace nicsim::verifier
