// Prototypes of the Linux helper functions (argument and return kinds as the kernel's
// bpf_func_proto definitions declare them, kernel 6.12), for every helper nicsim implements
// and every helper the corpus programs call. Where a helper has per-program-type variants
// (perf_event_output, get_stackid, setsockopt...) the variant taking the program context is
// listed; the argument kinds are the same.

#include <algorithm>
#include <array>

#include "verifier/platform/platform_tables.h"

namespace nicsim::verifier {
namespace {

using A = ArgType;
using R = RetType;

constexpr HelperPrototype p(int32_t id, std::string_view name, RetType ret,
                            std::array<ArgType, 5> args, bool changes_packet = false,
                            uint32_t fixed_size = 0) {
  HelperPrototype proto;
  proto.id = id;
  proto.name = name;
  proto.ret = ret;
  proto.args = args;
  proto.changes_packet = changes_packet;
  proto.fixed_size = fixed_size;
  return proto;
}

constexpr bool kChangesPacket = true;

const std::array kPrototypes = {
    p(1, "map_lookup_elem", R::MapValueOrNull, {A::ConstMapPtr, A::MapKey}),
    p(2, "map_update_elem", R::Integer, {A::ConstMapPtr, A::MapKey, A::MapValue, A::Anything}),
    p(3, "map_delete_elem", R::Integer, {A::ConstMapPtr, A::MapKey}),
    p(4, "probe_read", R::Integer, {A::WriteMem, A::ConstSizeOrZero, A::Anything}),
    p(5, "ktime_get_ns", R::Integer, {}),
    // The format arguments (R3-R5) are optional: the prototype declares only the format.
    p(6, "trace_printk", R::Integer, {A::ReadMem, A::ConstSize}),
    p(7, "get_prandom_u32", R::Integer, {}),
    p(8, "get_smp_processor_id", R::Integer, {}),
    p(9, "skb_store_bytes", R::Integer,
      {A::Ctx, A::Anything, A::ReadMem, A::ConstSize, A::Anything}, kChangesPacket),
    p(10, "l3_csum_replace", R::Integer,
      {A::Ctx, A::Anything, A::Anything, A::Anything, A::Anything}, kChangesPacket),
    p(11, "l4_csum_replace", R::Integer,
      {A::Ctx, A::Anything, A::Anything, A::Anything, A::Anything}, kChangesPacket),
    // A failed tail call returns. The kernel leaves R0 undefined (RET_VOID); nicsim's engines
    // set it to the negative error, as the helper's C prototype promises, so R0 is a number.
    // A program the tail call reached may have moved the packet.
    p(12, "tail_call", R::Integer, {A::Ctx, A::ConstMapPtr, A::Anything}, kChangesPacket),
    p(13, "clone_redirect", R::Integer, {A::Ctx, A::Anything, A::Anything}, kChangesPacket),
    p(14, "get_current_pid_tgid", R::Integer, {}),
    p(15, "get_current_uid_gid", R::Integer, {}),
    p(16, "get_current_comm", R::Integer, {A::WriteMem, A::ConstSize}),
    p(17, "get_cgroup_classid", R::Integer, {A::Ctx}),
    p(18, "skb_vlan_push", R::Integer, {A::Ctx, A::Anything, A::Anything}, kChangesPacket),
    p(19, "skb_vlan_pop", R::Integer, {A::Ctx}, kChangesPacket),
    p(20, "skb_get_tunnel_key", R::Integer, {A::Ctx, A::WriteMem, A::ConstSize, A::Anything}),
    p(21, "skb_set_tunnel_key", R::Integer, {A::Ctx, A::ReadMem, A::ConstSize, A::Anything}),
    p(22, "perf_event_read", R::Integer, {A::ConstMapPtr, A::Anything}),
    p(23, "redirect", R::Integer, {A::Anything, A::Anything}),
    p(24, "get_route_realm", R::Integer, {A::Ctx}),
    p(25, "perf_event_output", R::Integer,
      {A::Ctx, A::ConstMapPtr, A::Anything, A::ReadMem, A::ConstSizeOrZero}),
    p(26, "skb_load_bytes", R::Integer, {A::Ctx, A::Anything, A::WriteMem, A::ConstSize}),
    p(27, "get_stackid", R::Integer, {A::Ctx, A::ConstMapPtr, A::Anything}),
    p(28, "csum_diff", R::Integer,
      {A::ReadMemOrNull, A::ConstSizeOrZero, A::ReadMemOrNull, A::ConstSizeOrZero, A::Anything}),
    p(29, "skb_get_tunnel_opt", R::Integer, {A::Ctx, A::WriteMem, A::ConstSize}),
    p(30, "skb_set_tunnel_opt", R::Integer, {A::Ctx, A::ReadMem, A::ConstSize}),
    p(31, "skb_change_proto", R::Integer, {A::Ctx, A::Anything, A::Anything}, kChangesPacket),
    p(32, "skb_change_type", R::Integer, {A::Ctx, A::Anything}),
    p(33, "skb_under_cgroup", R::Integer, {A::Ctx, A::ConstMapPtr, A::Anything}),
    p(34, "get_hash_recalc", R::Integer, {A::Ctx}),
    p(35, "get_current_task", R::Integer, {}),
    p(36, "probe_write_user", R::Integer, {A::Anything, A::ReadMem, A::ConstSize}),
    p(37, "current_task_under_cgroup", R::Integer, {A::ConstMapPtr, A::Anything}),
    p(38, "skb_change_tail", R::Integer, {A::Ctx, A::Anything, A::Anything}, kChangesPacket),
    p(39, "skb_pull_data", R::Integer, {A::Ctx, A::Anything}, kChangesPacket),
    p(40, "csum_update", R::Integer, {A::Ctx, A::Anything}),
    p(41, "set_hash_invalid", R::Void, {A::Ctx}),
    p(42, "get_numa_node_id", R::Integer, {}),
    p(43, "skb_change_head", R::Integer, {A::Ctx, A::Anything, A::Anything}, kChangesPacket),
    p(44, "xdp_adjust_head", R::Integer, {A::Ctx, A::Anything}, kChangesPacket),
    p(45, "probe_read_str", R::Integer, {A::WriteMem, A::ConstSizeOrZero, A::Anything}),
    p(46, "get_socket_cookie", R::Integer, {A::Ctx}),
    p(47, "get_socket_uid", R::Integer, {A::Ctx}),
    p(48, "set_hash", R::Integer, {A::Ctx, A::Anything}),
    p(49, "setsockopt", R::Integer, {A::Ctx, A::Anything, A::Anything, A::ReadMem, A::ConstSize}),
    p(50, "skb_adjust_room", R::Integer, {A::Ctx, A::Anything, A::Anything, A::Anything},
      kChangesPacket),
    p(51, "redirect_map", R::Integer, {A::ConstMapPtr, A::Anything, A::Anything}),
    p(52, "sk_redirect_map", R::Integer, {A::Ctx, A::ConstMapPtr, A::Anything, A::Anything}),
    p(53, "sock_map_update", R::Integer, {A::Ctx, A::ConstMapPtr, A::MapKey, A::Anything}),
    p(54, "xdp_adjust_meta", R::Integer, {A::Ctx, A::Anything}, kChangesPacket),
    p(55, "perf_event_read_value", R::Integer,
      {A::ConstMapPtr, A::Anything, A::WriteMem, A::ConstSize}),
    p(56, "perf_prog_read_value", R::Integer, {A::Ctx, A::WriteMem, A::ConstSize}),
    p(57, "getsockopt", R::Integer, {A::Ctx, A::Anything, A::Anything, A::WriteMem, A::ConstSize}),
    p(58, "override_return", R::Integer, {A::Ctx, A::Anything}),
    p(59, "sock_ops_cb_flags_set", R::Integer, {A::Ctx, A::Anything}),
    p(60, "msg_redirect_map", R::Integer, {A::Ctx, A::ConstMapPtr, A::Anything, A::Anything}),
    p(61, "msg_apply_bytes", R::Integer, {A::Ctx, A::Anything}),
    p(62, "msg_cork_bytes", R::Integer, {A::Ctx, A::Anything}),
    p(63, "msg_pull_data", R::Integer, {A::Ctx, A::Anything, A::Anything, A::Anything},
      kChangesPacket),
    p(64, "bind", R::Integer, {A::Ctx, A::ReadMem, A::ConstSize}),
    p(65, "xdp_adjust_tail", R::Integer, {A::Ctx, A::Anything}, kChangesPacket),
    p(66, "skb_get_xfrm_state", R::Integer,
      {A::Ctx, A::Anything, A::WriteMem, A::ConstSize, A::Anything}),
    p(67, "get_stack", R::Integer, {A::Ctx, A::WriteMem, A::ConstSizeOrZero, A::Anything}),
    p(68, "skb_load_bytes_relative", R::Integer,
      {A::Ctx, A::Anything, A::WriteMem, A::ConstSize, A::Anything}),
    // The fib parameters are read and written: initialised memory.
    p(69, "fib_lookup", R::Integer, {A::Ctx, A::ReadWriteMem, A::ConstSize, A::Anything}),
    p(70, "sock_hash_update", R::Integer, {A::Ctx, A::ConstMapPtr, A::MapKey, A::Anything}),
    p(71, "msg_redirect_hash", R::Integer, {A::Ctx, A::ConstMapPtr, A::MapKey, A::Anything}),
    p(72, "sk_redirect_hash", R::Integer, {A::Ctx, A::ConstMapPtr, A::MapKey, A::Anything}),
    p(73, "lwt_push_encap", R::Integer, {A::Ctx, A::Anything, A::ReadMem, A::ConstSize},
      kChangesPacket),
    p(74, "lwt_seg6_store_bytes", R::Integer, {A::Ctx, A::Anything, A::ReadMem, A::ConstSize},
      kChangesPacket),
    p(75, "lwt_seg6_adjust_srh", R::Integer, {A::Ctx, A::Anything, A::Anything}, kChangesPacket),
    p(76, "lwt_seg6_action", R::Integer, {A::Ctx, A::Anything, A::ReadMem, A::ConstSize},
      kChangesPacket),
    p(79, "skb_cgroup_id", R::Integer, {A::Ctx}),
    p(80, "get_current_cgroup_id", R::Integer, {}),
    p(81, "get_local_storage", R::MapValue, {A::ConstMapPtr, A::Anything}),
    p(82, "sk_select_reuseport", R::Integer, {A::Ctx, A::ConstMapPtr, A::MapKey, A::Anything}),
    p(83, "skb_ancestor_cgroup_id", R::Integer, {A::Ctx, A::Anything}),
    p(84, "sk_lookup_tcp", R::SocketOrNull,
      {A::Ctx, A::ReadMem, A::ConstSizeOrZero, A::Anything, A::Anything}),
    p(85, "sk_lookup_udp", R::SocketOrNull,
      {A::Ctx, A::ReadMem, A::ConstSizeOrZero, A::Anything, A::Anything}),
    p(86, "sk_release", R::Integer, {A::ReleaseSocket}),
    p(87, "map_push_elem", R::Integer, {A::ConstMapPtr, A::MapValue, A::Anything}),
    p(88, "map_pop_elem", R::Integer, {A::ConstMapPtr, A::UninitMapValue}),
    p(89, "map_peek_elem", R::Integer, {A::ConstMapPtr, A::UninitMapValue}),
    p(90, "msg_push_data", R::Integer, {A::Ctx, A::Anything, A::Anything, A::Anything},
      kChangesPacket),
    p(91, "msg_pop_data", R::Integer, {A::Ctx, A::Anything, A::Anything, A::Anything},
      kChangesPacket),
    p(93, "spin_lock", R::Void, {A::SpinLock}),
    p(94, "spin_unlock", R::Void, {A::SpinLock}),
    p(95, "sk_fullsock", R::SocketOrNull, {A::SockCommon}),
    p(96, "tcp_sock", R::TcpSockOrNull, {A::SockCommon}),
    p(97, "skb_ecn_set_ce", R::Integer, {A::Ctx}),
    p(98, "get_listener_sock", R::SocketOrNull, {A::SockCommon}),
    p(99, "skc_lookup_tcp", R::SockCommonOrNull,
      {A::Ctx, A::ReadMem, A::ConstSizeOrZero, A::Anything, A::Anything}),
    p(100, "tcp_check_syncookie", R::Integer,
      {A::SockCommon, A::ReadMem, A::ConstSize, A::ReadMem, A::ConstSize}),
    p(105, "strtol", R::Integer, {A::ReadMem, A::ConstSize, A::Anything, A::FixedWriteMem}, false,
      8),
    p(106, "strtoul", R::Integer, {A::ReadMem, A::ConstSize, A::Anything, A::FixedWriteMem}, false,
      8),
    p(107, "sk_storage_get", R::MapValueOrNull,
      {A::ConstMapPtr, A::SockCommon, A::MapValueOrNull, A::Anything}),
    p(108, "sk_storage_delete", R::Integer, {A::ConstMapPtr, A::SockCommon}),
    p(109, "send_signal", R::Integer, {A::Anything}),
    p(110, "tcp_gen_syncookie", R::Integer,
      {A::SockCommon, A::ReadMem, A::ConstSize, A::ReadMem, A::ConstSize}),
    p(112, "probe_read_user", R::Integer, {A::WriteMem, A::ConstSizeOrZero, A::Anything}),
    p(113, "probe_read_kernel", R::Integer, {A::WriteMem, A::ConstSizeOrZero, A::Anything}),
    p(114, "probe_read_user_str", R::Integer, {A::WriteMem, A::ConstSizeOrZero, A::Anything}),
    p(115, "probe_read_kernel_str", R::Integer, {A::WriteMem, A::ConstSizeOrZero, A::Anything}),
    p(117, "send_signal_thread", R::Integer, {A::Anything}),
    p(118, "jiffies64", R::Integer, {}),
    p(119, "read_branch_records", R::Integer,
      {A::Ctx, A::WriteMemOrNull, A::ConstSizeOrZero, A::Anything}),
    p(120, "get_ns_current_pid_tgid", R::Integer,
      {A::Anything, A::Anything, A::WriteMem, A::ConstSize}),
    p(122, "get_netns_cookie", R::Integer, {A::CtxOrNull}),
    p(123, "get_current_ancestor_cgroup_id", R::Integer, {A::Anything}),
    p(124, "sk_assign", R::Integer, {A::Ctx, A::SockCommon, A::Anything}),
    p(125, "ktime_get_boot_ns", R::Integer, {}),
    p(130, "ringbuf_output", R::Integer,
      {A::ConstMapPtr, A::ReadMem, A::ConstSizeOrZero, A::Anything}),
    p(131, "ringbuf_reserve", R::RingbufMemOrNull,
      {A::ConstMapPtr, A::ConstAllocSizeOrZero, A::Anything}),
    p(132, "ringbuf_submit", R::Void, {A::ReleaseRingbufMem, A::Anything}),
    p(133, "ringbuf_discard", R::Void, {A::ReleaseRingbufMem, A::Anything}),
    p(134, "ringbuf_query", R::Integer, {A::ConstMapPtr, A::Anything}),
    p(135, "csum_level", R::Integer, {A::Ctx, A::Anything}),
    p(136, "skc_to_tcp6_sock", R::BtfIdOrNull, {A::SockCommon}),
    p(137, "skc_to_tcp_sock", R::BtfIdOrNull, {A::SockCommon}),
    p(138, "skc_to_tcp_timewait_sock", R::BtfIdOrNull, {A::SockCommon}),
    p(139, "skc_to_tcp_request_sock", R::BtfIdOrNull, {A::SockCommon}),
    p(140, "skc_to_udp6_sock", R::BtfIdOrNull, {A::SockCommon}),
    p(148, "copy_from_user", R::Integer, {A::WriteMem, A::ConstSizeOrZero, A::Anything}),
    p(151, "skb_cgroup_classid", R::Integer, {A::Ctx}),
    p(152, "redirect_neigh", R::Integer,
      {A::Anything, A::ReadMemOrNull, A::ConstSizeOrZero, A::Anything}),
    p(155, "redirect_peer", R::Integer, {A::Anything, A::Anything}),
    p(158, "get_current_task_btf", R::BtfId, {}),
    p(160, "ktime_get_coarse_ns", R::Integer, {}),
    p(163, "check_mtu", R::Integer,
      {A::Ctx, A::Anything, A::FixedWriteMem, A::Anything, A::Anything}, false, 4),
    p(164, "for_each_map_elem", R::Integer,
      {A::ConstMapPtr, A::Callback, A::StackOrNull, A::Anything}),
    p(165, "snprintf", R::Integer,
      {A::WriteMemOrNull, A::ConstSizeOrZero, A::ConstString, A::ReadMemOrNull,
       A::ConstSizeOrZero}),
    p(173, "get_func_ip", R::Integer, {A::Ctx}),
    p(174, "get_attach_cookie", R::Integer, {A::Ctx}),
    p(177, "trace_vprintk", R::Integer,
      {A::ReadMem, A::ConstSize, A::ReadMemOrNull, A::ConstSizeOrZero}),
    p(181, "loop", R::Integer, {A::Scalar, A::Callback, A::StackOrNull, A::Anything}),
    p(182, "strncmp", R::Integer, {A::ReadMem, A::ConstSize, A::ConstString}),
    p(188, "xdp_get_buff_len", R::Integer, {A::Ctx}),
    p(189, "xdp_load_bytes", R::Integer, {A::Ctx, A::Anything, A::WriteMem, A::ConstSize}),
    p(190, "xdp_store_bytes", R::Integer, {A::Ctx, A::Anything, A::ReadMem, A::ConstSize}),
    p(195, "map_lookup_percpu_elem", R::MapValueOrNull, {A::ConstMapPtr, A::MapKey, A::Anything}),
    p(208, "ktime_get_tai_ns", R::Integer, {}),
};

}  // namespace

int HelperPrototype::arg_count() const {
  int n = 0;
  while (n < 5 && args[n] != ArgType::None)
    ++n;
  return n;
}

const HelperPrototype* find_helper_prototype(int32_t id) {
  const auto it = std::lower_bound(kPrototypes.begin(), kPrototypes.end(), id,
                                   [](const HelperPrototype& p, int32_t v) { return p.id < v; });
  return it != kPrototypes.end() && it->id == id ? &*it : nullptr;
}

std::span<const HelperPrototype> all_helper_prototypes() {
  return kPrototypes;
}

}  // namespace nicsim::verifier
