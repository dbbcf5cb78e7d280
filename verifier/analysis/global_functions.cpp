#include "verifier/analysis/global_functions.h"

#include <bpf/btf.h>
#include <fmt/format.h>

#include <memory>
#include <string_view>

namespace nicsim::verifier {
namespace {

using ebpf::ProgramType;

// The context struct a program type's functions receive (the kernel's per-type BTF name).
std::string_view context_struct(ProgramType type) {
  switch (type) {
    case ProgramType::Xdp:
      return "xdp_md";
    case ProgramType::SocketFilter:
    case ProgramType::SchedCls:
    case ProgramType::SchedAct:
    case ProgramType::CgroupSkb:
    case ProgramType::LwtIn:
    case ProgramType::LwtOut:
    case ProgramType::LwtXmit:
    case ProgramType::SkSkb:
      return "__sk_buff";
    case ProgramType::Kprobe:
      return "pt_regs";
    case ProgramType::PerfEvent:
      return "bpf_perf_event_data";
    case ProgramType::CgroupSock:
      return "bpf_sock";
    case ProgramType::SockOps:
      return "bpf_sock_ops";
    case ProgramType::RawTracepoint:
      return "bpf_raw_tracepoint_args";
    default:
      return "";
  }
}

struct BtfDeleter {
  void operator()(btf* b) const { btf__free(b); }
};

// Skips typedefs and const/volatile/restrict; 0 (void) stays 0.
uint32_t resolve(const btf* b, uint32_t id) {
  while (id != 0) {
    const btf_type* t = btf__type_by_id(b, id);
    if (t == nullptr) return 0;
    if (!btf_is_typedef(t) && !btf_is_mod(t)) return id;
    id = t->type;
  }
  return 0;
}

std::string type_name(const btf* b, uint32_t id) {
  if (id == 0) return "void";
  const btf_type* t = btf__type_by_id(b, id);
  const char* name = t != nullptr ? btf__name_by_offset(b, t->name_off) : nullptr;
  return name != nullptr && *name != '\0' ? name : "(anon)";
}

bool is_number(const btf_type* t) {
  return t != nullptr && (btf_is_int(t) || btf_is_enum(t) || btf_is_enum64(t));
}

GlobalArgument classify(const btf* b, uint32_t type_id, int index, ProgramType program_type) {
  GlobalArgument arg;
  const uint32_t id = resolve(b, type_id);
  const btf_type* t = id != 0 ? btf__type_by_id(b, id) : nullptr;
  if (is_number(t)) {
    arg.kind = GlobalArgument::Kind::Scalar;
    return arg;
  }
  if (t != nullptr && btf_is_ptr(t)) {
    const uint32_t pointee = resolve(b, t->type);
    const btf_type* p = pointee != 0 ? btf__type_by_id(b, pointee) : nullptr;
    const std::string_view ctx = context_struct(program_type);
    if (p != nullptr && btf_is_struct(p) && !ctx.empty() && type_name(b, pointee) == ctx) {
      arg.kind = GlobalArgument::Kind::Context;
      return arg;
    }
    const int64_t size = pointee != 0 ? btf__resolve_size(b, pointee) : -1;
    if (size > 0 && size <= UINT32_MAX) {
      arg.kind = GlobalArgument::Kind::Memory;
      arg.size = static_cast<uint32_t>(size);
      return arg;
    }
    arg.description = fmt::format("arg#{} reference type('{}') size cannot be determined", index,
                                  type_name(b, pointee));
    return arg;
  }
  arg.description = fmt::format("arg#{} type {} is not supported yet", index, type_name(b, id));
  return arg;
}

GlobalFunction describe(const btf* b, const btf_type* func, ProgramType program_type) {
  GlobalFunction f;
  f.name = btf__name_by_offset(b, func->name_off);
  const btf_type* proto = btf__type_by_id(b, func->type);
  if (proto == nullptr || !btf_is_func_proto(proto)) {
    f.unsupported = fmt::format("function {}() has no prototype in BTF", f.name);
    return f;
  }
  const btf_type* ret = btf__type_by_id(b, resolve(b, proto->type));
  if (!is_number(ret)) {
    f.unsupported = fmt::format(
        "Global function {}() doesn't return scalar. Only those are supported.", f.name);
  }
  const btf_param* params = btf_params(proto);
  const int count = btf_vlen(proto);
  if (count > 5)
    f.unsupported = fmt::format("Global function {}() has {} arguments", f.name, count);
  for (int k = 0; k < count; ++k) {
    f.arguments.push_back(classify(b, params[k].type, k, program_type));
    const GlobalArgument& a = f.arguments.back();
    if (a.kind == GlobalArgument::Kind::Unsupported && f.unsupported.empty()) {
      f.unsupported = a.description + fmt::format(" in {}()", f.name);
    }
  }
  return f;
}

}  // namespace

std::map<int32_t, GlobalFunction> read_global_functions(const ebpf::ElfObject& object,
                                                        const ebpf::Program& program,
                                                        ProgramType type) {
  std::map<int32_t, GlobalFunction> globals;
  if (program.functions.size() < 2 || object.path.empty()) return globals;
  const std::unique_ptr<btf, BtfDeleter> b(btf__parse_elf(object.path.c_str(), nullptr));
  if (!b) return globals;  // no BTF (or not a file): every function is static to the verifier
  std::map<std::string, const btf_type*, std::less<>> global_funcs;
  const uint32_t count = btf__type_cnt(b.get());
  for (uint32_t id = 1; id < count; ++id) {
    const btf_type* t = btf__type_by_id(b.get(), id);
    if (t == nullptr || !btf_is_func(t)) continue;
    if (btf_vlen(t) != BTF_FUNC_GLOBAL) continue;  // a FUNC keeps its linkage in vlen
    global_funcs.emplace(btf__name_by_offset(b.get(), t->name_off), t);
  }
  for (const auto& [start, name] : program.functions) {
    if (start == 0) continue;  // the entry function is the program
    const auto it = global_funcs.find(name);
    if (it == global_funcs.end()) continue;
    globals.emplace(static_cast<int32_t>(start), describe(b.get(), it->second, type));
  }
  return globals;
}

VerifierState global_entry_state(const GlobalFunction& function, int32_t function_index) {
  // Ids far above those the exploration hands out, so that they never collide.
  constexpr uint32_t kArgumentIds = 0x40000000;
  VerifierState s;
  Frame& f = s.frames.emplace_back();
  f.function = function_index;
  for (size_t k = 0; k < function.arguments.size() && k < 5; ++k) {
    RegisterState& r = f.regs[k + 1];
    const GlobalArgument& arg = function.arguments[k];
    switch (arg.kind) {
      case GlobalArgument::Kind::Scalar:
        r = RegisterState::unknown_scalar();
        break;
      case GlobalArgument::Kind::Context:
        r = RegisterState::pointer(RegType::Ctx);
        break;
      case GlobalArgument::Kind::Memory:
        r = RegisterState::pointer(RegType::Mem);
        r.mem_size = arg.size;
        r.maybe_null = true;
        r.id = kArgumentIds + static_cast<uint32_t>(k);
        break;
      case GlobalArgument::Kind::Unsupported:
        break;
    }
  }
  f.regs[kFramePointer] = RegisterState::pointer(RegType::Stack);
  f.regs[kFramePointer].frame = 0;
  return s;
}

}  // namespace nicsim::verifier
