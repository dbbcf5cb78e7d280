// Calls and exits: helper calls checked against their prototypes (the kernel's
// check_helper_call and check_func_arg), bpf-to-bpf calls with a frame per function, and
// the exit rules for subprograms and for the program itself.

#include <fmt/format.h>

#include "verifier/analysis/machine.h"

namespace nicsim::verifier {

using namespace ebpf;

namespace {

constexpr int64_t kMaxVarSize = int64_t{1} << 29;  // BPF_MAX_VAR_SIZ

const char* const kMemoryTypes = "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf";

bool is_memory_pointer(const RegisterState& r) {
  switch (r.type) {
    case RegType::Stack:
    case RegType::Packet:
    case RegType::PacketMeta:
    case RegType::MapKey:
    case RegType::MapValue:
    case RegType::Mem:
      return !r.maybe_null;
    default:
      return false;
  }
}

bool is_null_constant(const RegisterState& r) {
  return r.is_scalar() && r.value.is_const() && r.value.const_value() == 0;
}

bool is_socket(const RegisterState& r) {
  return !r.maybe_null &&
         (r.type == RegType::Socket || r.type == RegType::SockCommon || r.type == RegType::TcpSock);
}

// Helpers that hand out a reference the program must release.
bool acquires_reference(int32_t helper) {
  return helper == 84 || helper == 85 || helper == 99 || helper == 131;
}

}  // namespace

void Machine::check_helper_memory(VerifierState& s, int32_t insn, int regno,
                                  const RegisterState& ptr, int64_t size, bool write,
                                  bool zero_size_allowed) {
  switch (ptr.type) {
    case RegType::Packet:
    case RegType::PacketMeta: {
      if (!ctx_.type.packet_readable() || (write && !ctx_.type.packet_writable())) {
        fail(insn, "helper access to the packet is not allowed");
      }
      if (ptr.value.s64.min < 0) {
        fail(insn, fmt::format("R{} min value is negative, either use unsigned index or do a "
                               "if (index >=0) check.",
                               regno));
      }
      if (ptr.off < 0 || int64_t{ptr.off} + size > int64_t{ptr.range}) {
        fail(insn, fmt::format("invalid access to packet, off={} size={}, R{}(id={},off={},r={})",
                               ptr.off, size, regno, ptr.id, ptr.off, ptr.range));
      }
      return;
    }
    case RegType::MapKey:
      if (write) fail(insn, fmt::format("write to change key R{} not allowed", regno));
      check_region(insn, regno, ptr, 0, static_cast<int>(size), ptr.mem_size, zero_size_allowed);
      return;
    case RegType::MapValue: {
      const MapDefinition& def = ctx_.maps[ptr.map];
      if (write && def.program_read_only()) {
        fail(insn, fmt::format("write into map forbidden, value_size={} off={} size={}",
                               def.value_size, ptr.off, size));
      }
      check_region(insn, regno, ptr, 0, static_cast<int>(size), def.value_size, zero_size_allowed);
      return;
    }
    case RegType::Mem:
      if (write && ptr.read_only) {
        fail(insn, fmt::format("R{} cannot write into {}", regno, type_string(ptr)));
      }
      check_region(insn, regno, ptr, 0, static_cast<int>(size), ptr.mem_size, zero_size_allowed);
      return;
    case RegType::Stack:
      stack_range_for_helper(s, insn, regno, ptr, size, write, zero_size_allowed);
      return;
    default:
      fail(insn, fmt::format("R{} type={} expected={}", regno, type_string(ptr), kMemoryTypes));
  }
}

void Machine::release_reference(VerifierState& s, int32_t insn, uint32_t ref_id) {
  const auto before = s.refs.size();
  std::erase_if(s.refs, [&](const Reference& r) { return r.id == ref_id; });
  if (s.refs.size() == before) {
    fail(insn, fmt::format("reference id={} has already been released", ref_id));
  }
  // Every copy of the released pointer becomes unusable.
  for (Frame& frame : s.frames) {
    for (RegisterState& r : frame.regs) {
      if (r.is_pointer() && r.ref_id == ref_id) r = RegisterState{};
    }
    for (int i = 0; i < frame.stack.allocated_slots(); ++i) {
      StackSlot& slot = frame.stack.slot_for_write(i);
      if (slot.is_spill() && slot.spilled.is_pointer() && slot.spilled.ref_id == ref_id) {
        slot.spilled = RegisterState::unknown_scalar();
      }
    }
  }
}

void Machine::invalidate_packet_pointers(VerifierState& s, int32_t insn) {
  const auto invalidate = [insn](RegisterState& r) {
    if (r.is_packet_pointer() || r.type == RegType::PacketEnd) {
      r = RegisterState::unknown_scalar();
      r.invalidated_at = insn;
    }
  };
  for (Frame& frame : s.frames) {
    for (RegisterState& r : frame.regs)
      invalidate(r);
    for (int i = 0; i < frame.stack.allocated_slots(); ++i) {
      StackSlot& slot = frame.stack.slot_for_write(i);
      if (slot.is_spill()) invalidate(slot.spilled);
    }
  }
}

void Machine::helper_call(VerifierState& s, int32_t insn, Step&, int32_t id) {
  const HelperPrototype* proto = ctx_.platform.helper(id);
  if (proto == nullptr) fail(insn, fmt::format("invalid func unknown#{}", id));
  const std::string name = fmt::format("bpf_{}", proto->name);
  if (!ctx_.type.helper_allowed(id)) {
    fail(insn, fmt::format("program of this type cannot use helper {}#{}", name, id));
  }

  int32_t map = -1;
  int mem_regno = -1;  // the memory argument whose size the next argument gives
  bool mem_write = false;
  bool mem_read_write = false;
  int64_t alloc_size = 0;
  uint32_t released = 0;
  uint32_t inherited_ref = 0;
  for (int k = 0; k < 5 && proto->args[k] != ArgType::None; ++k) {
    const int regno = k + 1;
    const RegisterState reg = use(s, insn, regno);
    const auto expect = [&](bool ok, std::string_view expected) {
      if (!ok) {
        fail(insn, fmt::format("R{} type={} expected={}", regno, type_string(reg), expected));
      }
    };
    const auto need_map = [&](const char* what) -> const MapDefinition& {
      if (map < 0) fail(insn, fmt::format("invalid map_ptr to access map->{}", what));
      return ctx_.maps[map];
    };
    const auto check_ctx = [&] {
      expect(reg.type == RegType::Ctx, "ctx");
      if (reg.off != 0) {
        fail(insn,
             fmt::format("dereference of modified ctx ptr R{} off={} disallowed", regno, reg.off));
      }
      if (!reg.value.is_const() || reg.value.const_value() != 0) {
        fail(insn,
             fmt::format("variable ctx access var_off={} disallowed", reg.value.bits.to_string()));
      }
    };
    switch (proto->args[k]) {
      case ArgType::None:
        break;
      case ArgType::Anything:
        if (reg.is_pointer() && !ctx_.options.allow_pointer_leaks) {
          fail(insn, fmt::format("R{} leaks addr into helper function", regno));
        }
        break;
      case ArgType::Scalar:
        expect(reg.is_scalar(), "scalar");
        break;
      case ArgType::ConstMapPtr:
        expect(reg.type == RegType::MapPtr && !reg.maybe_null, "map_ptr");
        map = reg.map;
        break;
      case ArgType::MapKey:
      case ArgType::MapValue:
      case ArgType::UninitMapValue:
      case ArgType::MapValueOrNull: {
        if (proto->args[k] == ArgType::MapValueOrNull && is_null_constant(reg)) break;
        const bool key = proto->args[k] == ArgType::MapKey;
        const MapDefinition& def = need_map(key ? "key" : "value");
        expect(is_memory_pointer(reg), kMemoryTypes);
        check_helper_memory(s, insn, regno, reg, key ? def.key_size : def.value_size,
                            proto->args[k] == ArgType::UninitMapValue, false);
        break;
      }
      case ArgType::CtxOrNull:
        if (is_null_constant(reg)) break;
        check_ctx();
        break;
      case ArgType::Ctx:
        check_ctx();
        break;
      case ArgType::ReadMemOrNull:
      case ArgType::WriteMemOrNull:
        if (is_null_constant(reg)) {
          mem_regno = -1;
          break;
        }
        [[fallthrough]];
      case ArgType::ReadMem:
      case ArgType::WriteMem:
      case ArgType::ReadWriteMem:
        expect(is_memory_pointer(reg), kMemoryTypes);
        mem_regno = regno;
        mem_write =
            proto->args[k] == ArgType::WriteMem || proto->args[k] == ArgType::WriteMemOrNull;
        mem_read_write = proto->args[k] == ArgType::ReadWriteMem;
        break;
      case ArgType::ConstSize:
      case ArgType::ConstSizeOrZero: {
        const bool zero_ok = proto->args[k] == ArgType::ConstSizeOrZero;
        expect(reg.is_scalar(), "scalar");
        need_precise(s, {regno});
        const Scalar& v = reg.value;
        if (v.s64.min < 0) {
          fail(insn, fmt::format("R{} min value is negative, either use unsigned or 'var &= "
                                 "const'",
                                 regno));
        }
        if (v.u64.max == 0 && !zero_ok) {
          fail(insn, fmt::format("R{} invalid zero-sized read: u64=[{},{}]", regno, v.u64.min,
                                 v.u64.max));
        }
        if (v.u64.max >= static_cast<uint64_t>(kMaxVarSize)) {
          fail(insn, fmt::format("R{} unbounded memory access, use 'var &= const' or 'if (var < "
                                 "const)'",
                                 regno));
        }
        if (mem_regno >= 0) {
          // A helper that reads its argument before writing it (fib_lookup's params) needs the
          // bytes initialized, and writable: the kernel refuses a read-only map value there.
          const auto max_size = static_cast<int64_t>(v.u64.max);
          if (mem_read_write) {
            check_helper_memory(s, insn, mem_regno, s.reg(mem_regno), max_size, false, zero_ok);
          }
          check_helper_memory(s, insn, mem_regno, s.reg(mem_regno), max_size,
                              mem_write || mem_read_write, zero_ok);
        }
        mem_regno = -1;
        break;
      }
      case ArgType::FixedWriteMem:
        expect(is_memory_pointer(reg), kMemoryTypes);
        check_helper_memory(s, insn, regno, reg, proto->fixed_size, true, false);
        break;
      case ArgType::ConstAllocSizeOrZero:
        if (!reg.is_const()) fail(insn, fmt::format("R{} is not a known constant'", regno));
        need_precise(s, {regno});
        alloc_size = static_cast<int64_t>(reg.value.const_value());
        break;
      case ArgType::ReleaseRingbufMem:
        expect(reg.type == RegType::Mem && reg.ringbuf && !reg.maybe_null, "ringbuf_mem");
        if (reg.off != 0 || !reg.value.is_const() || reg.value.const_value() != 0) {
          fail(insn, fmt::format("R{} must have zero offset when passed to release func", regno));
        }
        if (reg.ref_id == 0) {
          fail(insn, fmt::format("R{} must be referenced when passed to release function", regno));
        }
        released = reg.ref_id;
        break;
      case ArgType::SockCommon:
        expect(is_socket(reg), "sock_common, sock, tcp_sock");
        inherited_ref = reg.ref_id;
        break;
      case ArgType::ReleaseSocket:
        expect(is_socket(reg), "sock_common, sock, tcp_sock");
        if (reg.ref_id == 0) {
          fail(insn, fmt::format("R{} must be referenced when passed to release function", regno));
        }
        released = reg.ref_id;
        break;
      case ArgType::BtfIdOrNull:
        if (is_null_constant(reg)) break;
        [[fallthrough]];
      case ArgType::BtfId:
        expect(reg.type == RegType::BtfId && !reg.maybe_null, "ptr_");
        break;
      case ArgType::Callback:
      case ArgType::StackOrNull:
        fail(insn, fmt::format("{}#{}: helpers that call back into the program are not supported "
                               "by nicsim",
                               name, id));
      case ArgType::SpinLock:
      case ArgType::Timer:
        fail(insn, fmt::format("{}#{} needs the map's BTF (bpf_spin_lock/bpf_timer), which nicsim "
                               "does not model",
                               name, id));
      case ArgType::ConstString: {
        expect(reg.type == RegType::MapValue && !reg.maybe_null, "map_value");
        const MapDefinition& def = ctx_.maps[reg.map];
        if (!def.read_only())
          fail(insn, fmt::format("R{} does not point to a readonly map'", regno));
        if (!reg.value.is_const()) fail(insn, fmt::format("R{} is not a constant address'", regno));
        const int64_t at = reg.off + static_cast<int64_t>(reg.value.const_value());
        bool terminated = false;
        for (int64_t b = at; b >= 0 && b < static_cast<int64_t>(def.initial_value.size()); ++b) {
          if (def.initial_value[static_cast<size_t>(b)] == 0) {
            terminated = true;
            break;
          }
        }
        if (!terminated) fail(insn, "string is not zero-terminated");
        break;
      }
    }
  }
  if (map >= 0 && !ctx_.platform.map_helper_compatible(ctx_.maps[map].type, id)) {
    fail(insn, fmt::format("cannot pass map_type {} into func {}#{}",
                           static_cast<uint32_t>(ctx_.maps[map].type), name, id));
  }
  if (id == 12 && !s.refs.empty()) fail(insn, "tail_call would lead to reference leak");
  if (released != 0) release_reference(s, insn, released);

  for (int r = 1; r <= 5; ++r)
    define(s, insn, r) = RegisterState{};
  RegisterState result;
  switch (proto->ret) {
    case RetType::Integer:
      result = RegisterState::unknown_scalar();
      break;
    case RetType::Void:
      break;
    case RetType::MapValueOrNull:
    case RetType::MapValue: {
      if (map < 0) fail(insn, fmt::format("{}#{} has no map argument", name, id));
      const MapDefinition& def = ctx_.maps[map];
      if (ctx_.platform.map_type(def.type).lookup_returns_map) {
        if (def.inner_map_index < 0 ||
            def.inner_map_index >= static_cast<int32_t>(ctx_.maps.size())) {
          fail(insn, fmt::format("map '{}' has no inner map definition", def.name));
        }
        result = RegisterState::pointer(RegType::MapPtr);
        result.map = def.inner_map_index;
      } else {
        result = RegisterState::pointer(RegType::MapValue);
        result.map = map;
      }
      if (proto->ret == RetType::MapValueOrNull) {
        result.maybe_null = true;
        result.id = new_id();
      }
      break;
    }
    case RetType::SocketOrNull:
    case RetType::SockCommonOrNull:
    case RetType::TcpSockOrNull:
      result = RegisterState::pointer(proto->ret == RetType::SocketOrNull    ? RegType::Socket
                                      : proto->ret == RetType::TcpSockOrNull ? RegType::TcpSock
                                                                             : RegType::SockCommon);
      result.maybe_null = true;
      result.id = new_id();
      result.ref_id = inherited_ref;
      break;
    case RetType::RingbufMemOrNull:
      result = RegisterState::pointer(RegType::Mem);
      result.ringbuf = true;
      result.maybe_null = true;
      result.mem_size = static_cast<uint32_t>(alloc_size);
      result.id = new_id();
      break;
    case RetType::BtfIdOrNull:
    case RetType::BtfId:
    case RetType::MemOrNull:
      result = RegisterState::pointer(RegType::BtfId);
      if (proto->ret != RetType::BtfId) {
        result.maybe_null = true;
        result.id = new_id();
      }
      break;
  }
  if (acquires_reference(id)) {
    result.ref_id = result.id;
    s.refs.push_back({result.id, insn});
  }
  define(s, insn, 0) = result;
  if (proto->changes_packet) invalidate_packet_pointers(s, insn);
}

void Machine::local_call(VerifierState& s, int32_t insn, Step& step, int32_t target) {
  if (ctx_.global_functions != nullptr) {
    const auto global = ctx_.global_functions->find(target);
    if (global != ctx_.global_functions->end()) {
      global_call(s, insn, global->second, target);
      return;
    }
  }
  if (static_cast<int>(s.frames.size()) >= kMaxFrames) {
    fail(insn, fmt::format("the call stack of {} frames is too deep", s.frames.size() + 1));
  }
  Frame callee;
  callee.callsite = insn;
  callee.function = ctx_.cfg.function_of(target);
  for (int r = 1; r <= 5; ++r) {
    callee.regs[r] = s.reg(r);
    if (s.reg(r).is_init()) mark_reg_read(s, r);
  }
  for (int r = 0; r <= 5; ++r)
    define(s, insn, r) = RegisterState{};
  const int depth = s.depth() + 1;
  callee.regs[kFramePointer] = RegisterState::pointer(RegType::Stack);
  callee.regs[kFramePointer].frame = static_cast<uint8_t>(depth);
  s.frames.push_back(std::move(callee));
  // The callee's frame starts fresh: nothing in it is live from before the call.
  for (size_t l = reg_location(depth, 0); l < reg_location(depth + 1, 0); ++l) {
    observer_.on_write(l);
  }
  step.next = target;
}

void Machine::exit(VerifierState& s, int32_t insn, Step& step) {
  if (s.frames.size() > 1) {
    const RegisterState r0 = s.reg(0);
    if (r0.is_init()) mark_reg_read(s, 0);
    if (r0.type == RegType::Stack) fail(insn, "cannot return stack pointer to the caller");
    const int32_t callsite = s.frame().callsite;
    s.frames.pop_back();
    define(s, insn, 0) = r0;
    step.next = callsite + 1;
    return;
  }
  step.next = -1;
  // Running off a fragment's end has no return contract.
  if (ctx_.options.fragment && insn == ctx_.fragment_end) return;
  if (ctx_.verifying_global) {
    global_exit(s, insn);
    return;
  }
  const RegisterState r0 = use(s, insn, 0);
  if (r0.is_pointer() && !ctx_.options.allow_pointer_leaks) {
    fail(insn, "R0 leaks addr as return value");
  }
  if (const auto range = ctx_.type.return_range()) {
    need_precise(s, {0});
    if (!r0.is_scalar()) {
      fail(insn, fmt::format("At program exit the register R0 is not a known value ({})",
                             type_string(r0)));
    }
    if (r0.value.s64.min < range->first || r0.value.s64.max > range->second) {
      std::string has;
      if (r0.value.s64.min > INT64_MIN) has += fmt::format(" smin={}", r0.value.s64.min);
      if (r0.value.s64.max < INT64_MAX) has += fmt::format(" smax={}", r0.value.s64.max);
      if (has.empty()) has = " unknown scalar value";
      fail(insn, fmt::format("At program exit the register R0 has{} should have been in [{}, {}]",
                             has, range->first, range->second));
    }
  }
  // A fragment (test case) may stop holding references; a program may not.
  if (!s.refs.empty() && !ctx_.options.fragment) {
    fail(insn, fmt::format("Unreleased reference id={} alloc_insn={}", s.refs.front().id,
                           s.refs.front().insn));
  }
}

}  // namespace nicsim::verifier
