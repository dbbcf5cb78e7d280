#include "ebpf/program/program.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

#include "ebpf/util/error.h"

namespace nicsim::ebpf {

std::string_view program_type_name(ProgramType type) {
  static constexpr std::array<std::string_view, 33> kNames = {
      "unspec",        "socket_filter",  "kprobe",         "sched_cls",
      "sched_act",     "tracepoint",     "xdp",            "perf_event",
      "cgroup_skb",    "cgroup_sock",    "lwt_in",         "lwt_out",
      "lwt_xmit",      "sock_ops",       "sk_skb",         "cgroup_device",
      "sk_msg",        "raw_tracepoint", "cgroup_sock_addr", "lwt_seg6local",
      "lirc_mode2",    "sk_reuseport",   "flow_dissector", "cgroup_sysctl",
      "raw_tracepoint_writable", "cgroup_sockopt", "tracing", "struct_ops",
      "ext",           "lsm",            "sk_lookup",      "syscall",
      "netfilter"};
  const auto i = static_cast<size_t>(type);
  return i < kNames.size() ? kNames[i] : std::string_view("unknown");
}

std::string_view map_type_name(MapType type) {
  static constexpr std::array<std::string_view, kMaxKnownMapType + 1> kNames = {
      "unspec",      "hash",         "array",         "prog_array",
      "perf_event_array", "percpu_hash", "percpu_array", "stack_trace",
      "cgroup_array", "lru_hash",    "lru_percpu_hash", "lpm_trie",
      "array_of_maps", "hash_of_maps", "devmap",      "sockmap",
      "cpumap",      "xskmap",       "sockhash",      "cgroup_storage",
      "reuseport_sockarray", "percpu_cgroup_storage", "queue", "stack",
      "sk_storage",  "devmap_hash",  "struct_ops",    "ringbuf",
      "inode_storage", "task_storage", "bloom_filter", "user_ringbuf",
      "cgrp_storage", "arena"};
  const auto i = static_cast<size_t>(type);
  return i < kNames.size() ? kNames[i] : std::string_view("unknown");
}

ProgramType program_type_from_section(std::string_view section) {
  // Ordered so that longer prefixes win; the legacy libbpf convention matched prefixes
  // ("xdp1", "socket1", "kprobe/..."), which older objects in the wild still rely on.
  static constexpr std::array<std::pair<std::string_view, ProgramType>, 52> kPrefixes = {{
      {"socket", ProgramType::SocketFilter},
      {"sk_reuseport", ProgramType::SkReuseport},
      {"kprobe.multi", ProgramType::Kprobe},
      {"kretprobe.multi", ProgramType::Kprobe},
      {"kprobe", ProgramType::Kprobe},
      {"kretprobe", ProgramType::Kprobe},
      {"uprobe", ProgramType::Kprobe},
      {"uretprobe", ProgramType::Kprobe},
      {"usdt", ProgramType::Kprobe},
      {"ksyscall", ProgramType::Kprobe},
      {"kretsyscall", ProgramType::Kprobe},
      {"tc", ProgramType::SchedCls},
      {"classifier", ProgramType::SchedCls},
      {"action", ProgramType::SchedAct},
      {"tracepoint", ProgramType::Tracepoint},
      {"tp_btf", ProgramType::Tracing},
      {"tp/", ProgramType::Tracepoint},
      {"raw_tracepoint.w", ProgramType::RawTracepointWritable},
      {"raw_tp.w", ProgramType::RawTracepointWritable},
      {"raw_tracepoint", ProgramType::RawTracepoint},
      {"raw_tp", ProgramType::RawTracepoint},
      {"fentry", ProgramType::Tracing},
      {"fexit", ProgramType::Tracing},
      {"fmod_ret", ProgramType::Tracing},
      {"iter", ProgramType::Tracing},
      {"freplace", ProgramType::Ext},
      {"lsm", ProgramType::Lsm},
      {"xdp", ProgramType::Xdp},
      {"perf_event", ProgramType::PerfEvent},
      {"lwt_in", ProgramType::LwtIn},
      {"lwt_out", ProgramType::LwtOut},
      {"lwt_xmit", ProgramType::LwtXmit},
      {"lwt_seg6local", ProgramType::LwtSeg6local},
      {"sockops", ProgramType::SockOps},
      {"sk_skb", ProgramType::SkSkb},
      {"sk_msg", ProgramType::SkMsg},
      {"lirc_mode2", ProgramType::LircMode2},
      {"flow_dissector", ProgramType::FlowDissector},
      {"cgroup_skb", ProgramType::CgroupSkb},
      {"cgroup/skb", ProgramType::CgroupSkb},
      {"cgroup/dev", ProgramType::CgroupDevice},
      {"cgroup/sysctl", ProgramType::CgroupSysctl},
      {"cgroup/getsockopt", ProgramType::CgroupSockopt},
      {"cgroup/setsockopt", ProgramType::CgroupSockopt},
      {"cgroup/sock_create", ProgramType::CgroupSock},
      {"cgroup/sock_release", ProgramType::CgroupSock},
      {"cgroup/post_bind", ProgramType::CgroupSock},
      {"cgroup/sock", ProgramType::CgroupSock},
      {"cgroup/", ProgramType::CgroupSockAddr},
      {"struct_ops", ProgramType::StructOps},
      {"sk_lookup", ProgramType::SkLookup},
      {"netfilter", ProgramType::Netfilter},
  }};
  if (section == "syscall") return ProgramType::Syscall;
  for (const auto& [prefix, type] : kPrefixes) {
    if (section.starts_with(prefix)) return type;
  }
  return ProgramType::Unspec;
}

const SourceLocation* Program::location_of(size_t index) const {
  auto it = std::upper_bound(line_info.begin(), line_info.end(), index,
                             [](size_t i, const auto& entry) { return i < entry.first; });
  if (it == line_info.begin()) return nullptr;
  return &std::prev(it)->second;
}

std::string Program::display_name() const {
  if (function.empty() || function == section) return section;
  return section + "/" + function;
}

const Program& ElfObject::find_program(std::string_view name) const {
  std::vector<const Program*> matches;
  for (const auto& prog : programs) {
    if (prog.display_name() == name) return prog;
    if (prog.section == name || prog.function == name) matches.push_back(&prog);
  }
  if (matches.size() == 1) return *matches.front();
  std::string available;
  for (const auto& prog : programs) {
    available += available.empty() ? "" : ", ";
    available += prog.display_name();
  }
  if (matches.empty())
    throw Error(fmt::format("{}: no program named '{}' (available: {})", path, name, available));
  throw Error(fmt::format("{}: '{}' names {} programs; choose one of: {}", path, name,
                          matches.size(), available));
}

int ElfObject::find_map(std::string_view name) const {
  for (size_t i = 0; i < maps.size(); ++i) {
    if (maps[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

ElfObject make_single_program_object(std::vector<Instruction> insns, ProgramType type,
                                     std::string name) {
  ElfObject object;
  object.path = name;
  Program prog;
  prog.section = name;
  prog.function = name;
  prog.type = type;
  prog.insns = std::move(insns);
  prog.functions.emplace_back(0, name);
  object.programs.push_back(std::move(prog));
  return object;
}

}  // namespace nicsim::ebpf
