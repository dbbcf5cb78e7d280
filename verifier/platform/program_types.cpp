// The program types nicsim models: their context rules, the helpers each may call (the
// kernel's *_func_proto functions, kernel 6.12, for a loader with CAP_BPF and CAP_PERFMON)
// and their direct packet access.

#include <algorithm>
#include <bitset>
#include <initializer_list>
#include <memory>
#include <vector>

#include "verifier/platform/context_access.h"
#include "verifier/platform/platform_tables.h"

namespace nicsim::verifier {
namespace {

using HelperSet = std::bitset<256>;

HelperSet set_of(std::initializer_list<int> ids, const HelperSet& base = {}) {
  HelperSet s = base;
  for (int id : ids)
    s.set(static_cast<size_t>(id));
  return s;
}

// bpf_base_func_proto.
const HelperSet& base_helpers() {
  static const HelperSet s =
      set_of({1,   2,   3,   87,  88,  89,  195, 7,   8,   42,  12,  5,   125, 208, 130,
              131, 132, 133, 134, 182, 105, 106, 14,  120, 93,  94,  118, 153, 154, 169,
              170, 171, 172, 194, 164, 181, 209, 198, 199, 200, 197, 201, 202, 203, 210,
              211, 80,  123, 6,   35,  158, 112, 113, 114, 115, 149, 165, 175, 177});
  return s;
}

// bpf_sk_base_func_proto: the networking base.
const HelperSet& sk_base_helpers() {
  static const HelperSet s = set_of({136, 137, 138, 139, 140, 178, 196, 160}, base_helpers());
  return s;
}

// bpf_tracing_func_proto.
const HelperSet& tracing_helpers() {
  static const HelperSet s =
      set_of({15, 16, 22, 36, 4, 45, 37, 109, 117, 55, 141, 148, 191, 156, 157, 173, 176, 180},
             base_helpers());
  return s;
}

using AccessFn = std::optional<CtxAccess> (*)(int64_t, int, bool, bool);

class TableRules : public ProgramTypeRules {
 public:
  TableRules(ProgramType type, std::string_view name, uint32_t ctx_size, AccessFn access,
             HelperSet helpers, bool packet_read, bool packet_write, bool legacy_loads,
             std::optional<std::pair<int64_t, int64_t>> return_range)
      : type_(type),
        name_(name),
        ctx_size_(ctx_size),
        access_(access),
        helpers_(helpers),
        packet_read_(packet_read),
        packet_write_(packet_write),
        legacy_loads_(legacy_loads),
        return_range_(return_range) {}

  ProgramType type() const override { return type_; }
  std::string_view name() const override { return name_; }
  uint32_t context_size() const override { return ctx_size_; }
  std::optional<CtxAccess> context_access(int64_t offset, int size, bool write,
                                          bool sign_extending) const override {
    return access_(offset, size, write, sign_extending);
  }
  bool helper_allowed(int32_t id) const override {
    return id >= 0 && id < static_cast<int32_t>(helpers_.size()) &&
           helpers_.test(static_cast<size_t>(id));
  }
  bool packet_readable() const override { return packet_read_; }
  bool packet_writable() const override { return packet_write_; }
  bool legacy_packet_loads() const override { return legacy_loads_; }
  std::optional<std::pair<int64_t, int64_t>> return_range() const override { return return_range_; }

 private:
  ProgramType type_;
  std::string_view name_;
  uint32_t ctx_size_;
  AccessFn access_;
  HelperSet helpers_;
  bool packet_read_;
  bool packet_write_;
  bool legacy_loads_;
  std::optional<std::pair<int64_t, int64_t>> return_range_;
};

template <context::SkbFlavour F>
std::optional<CtxAccess> skb_flavour(int64_t off, int size, bool write, bool sx) {
  return context::skb_access(F, off, size, write, sx);
}
std::optional<CtxAccess> xdp(int64_t off, int size, bool write, bool sx) {
  return context::xdp_access(off, size, write, sx);
}
std::optional<CtxAccess> sock_ops(int64_t off, int size, bool write, bool) {
  return context::sock_ops_access(off, size, write);
}
std::optional<CtxAccess> cgroup_sock(int64_t off, int size, bool write, bool) {
  return context::cgroup_sock_access(off, size, write);
}
std::optional<CtxAccess> kprobe(int64_t off, int size, bool write, bool) {
  return context::kprobe_access(off, size, write);
}
std::optional<CtxAccess> tracepoint(int64_t off, int size, bool write, bool) {
  return context::tracepoint_access(off, size, write);
}
std::optional<CtxAccess> raw_tracepoint(int64_t off, int size, bool write, bool) {
  return context::raw_tracepoint_access(off, size, write);
}
std::optional<CtxAccess> perf_event(int64_t off, int size, bool write, bool) {
  return context::perf_event_access(off, size, write);
}

std::vector<std::unique_ptr<ProgramTypeRules>> make_rules() {
  using PT = ProgramType;
  const std::optional<std::pair<int64_t, int64_t>> any;
  const std::pair<int64_t, int64_t> zero_one{0, 1};

  const HelperSet xdp_helpers = set_of({25,  8,  28, 44, 54, 23,  51,  65,  188, 189, 190, 69,
                                        163, 85, 84, 86, 99, 100, 110, 204, 205, 206, 207},
                                       sk_base_helpers());
  const HelperSet tc_helpers = set_of(
      {9,   26, 68, 39,  28,  40, 135, 10, 11, 13,  17, 18,  19,  31,  32,  50,  38,  43,  20,  21,
       29,  30, 23, 152, 155, 24, 34,  41, 48, 25,  8,  33,  46,  47,  69,  163, 95,  107, 108, 66,
       151, 79, 83, 84,  85,  86, 96,  98, 99, 100, 97, 110, 124, 192, 204, 205, 206, 207},
      sk_base_helpers());
  const HelperSet socket_filter_helpers = set_of({26, 68, 46, 47, 25}, sk_base_helpers());
  const HelperSet cgroup_skb_helpers =
      set_of({95, 107, 108, 79, 83, 128, 129, 84, 85, 86, 99, 96, 98, 97}, socket_filter_helpers);
  const HelperSet lwt_out_helpers = set_of({26, 39, 28, 17, 24, 34, 25, 8, 33}, sk_base_helpers());
  const HelperSet lwt_in_helpers = set_of({73}, lwt_out_helpers);
  const HelperSet lwt_xmit_helpers =
      set_of({20, 21, 29, 30, 23, 13, 38, 43, 9, 40, 135, 10, 11, 41, 73}, lwt_out_helpers);
  const HelperSet sk_skb_helpers =
      set_of({9, 26, 39, 38, 43, 50, 46, 47, 52, 72, 25, 84, 85, 86, 99}, sk_base_helpers());
  const HelperSet sock_ops_helpers =
      set_of({49, 57, 59, 53, 70, 46, 25, 107, 108, 122, 142, 143, 144, 96}, sk_base_helpers());
  const HelperSet cgroup_sock_helpers =
      set_of({81, 186, 187, 15, 16, 17, 37, 46, 122, 25, 107, 160}, base_helpers());
  const HelperSet kprobe_helpers = set_of({25, 27, 67, 58, 173, 174}, tracing_helpers());
  const HelperSet tp_helpers = set_of({25, 27, 67, 174}, tracing_helpers());
  const HelperSet pe_helpers = set_of({25, 27, 67, 56, 119, 174}, tracing_helpers());

  using context::SkbFlavour;
  std::vector<std::unique_ptr<ProgramTypeRules>> rules;
  const auto add = [&rules](auto... args) {
    rules.push_back(std::make_unique<TableRules>(args...));
  };
  add(PT::SocketFilter, "socket_filter", context::skb::kSize,
      &skb_flavour<SkbFlavour::SocketFilter>, socket_filter_helpers, false, false, true, any);
  add(PT::SchedCls, "sched_cls", context::skb::kSize, &skb_flavour<SkbFlavour::TcClsAct>,
      tc_helpers, true, true, true, any);
  add(PT::SchedAct, "sched_act", context::skb::kSize, &skb_flavour<SkbFlavour::TcClsAct>,
      tc_helpers, true, true, true, any);
  add(PT::Xdp, "xdp", context::kXdpMdSize, &xdp, xdp_helpers, true, true, false, any);
  add(PT::CgroupSkb, "cgroup_skb", context::skb::kSize, &skb_flavour<SkbFlavour::CgroupSkb>,
      cgroup_skb_helpers, true, false, false, std::optional(std::pair<int64_t, int64_t>{0, 3}));
  add(PT::LwtIn, "lwt_in", context::skb::kSize, &skb_flavour<SkbFlavour::Lwt>, lwt_in_helpers, true,
      false, false, any);
  add(PT::LwtOut, "lwt_out", context::skb::kSize, &skb_flavour<SkbFlavour::Lwt>, lwt_out_helpers,
      true, false, false, any);
  add(PT::LwtXmit, "lwt_xmit", context::skb::kSize, &skb_flavour<SkbFlavour::Lwt>, lwt_xmit_helpers,
      true, true, false, any);
  add(PT::SkSkb, "sk_skb", context::skb::kSize, &skb_flavour<SkbFlavour::SkSkb>, sk_skb_helpers,
      true, true, false, any);
  add(PT::SockOps, "sock_ops", context::kSockOpsSize, &sock_ops, sock_ops_helpers, true, false,
      false, std::optional(zero_one));
  add(PT::CgroupSock, "cgroup_sock", context::kBpfSockSize, &cgroup_sock, cgroup_sock_helpers,
      false, false, false, std::optional(zero_one));
  add(PT::Kprobe, "kprobe", context::kPtRegsSize, &kprobe, kprobe_helpers, false, false, false,
      any);
  add(PT::Tracepoint, "tracepoint", context::kTracepointSize, &tracepoint, tp_helpers, false, false,
      false, any);
  add(PT::RawTracepoint, "raw_tracepoint", context::kRawTracepointSize, &raw_tracepoint, tp_helpers,
      false, false, false, any);
  add(PT::RawTracepointWritable, "raw_tracepoint_writable", context::kRawTracepointSize,
      &raw_tracepoint, tp_helpers, false, false, false, any);
  add(PT::PerfEvent, "perf_event", context::kPerfEventDataSize, &perf_event, pe_helpers, false,
      false, false, any);
  return rules;
}

}  // namespace

const ProgramTypeRules* linux_program_type_rules(ProgramType type) {
  static const auto rules = make_rules();
  for (const auto& r : rules) {
    if (r->type() == type) return r.get();
  }
  return nullptr;
}

}  // namespace nicsim::verifier
