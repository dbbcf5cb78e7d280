#include "verifier/platform/context_access.h"

namespace nicsim::verifier::context {
namespace {

bool in(int64_t off, int64_t begin, int64_t end) {
  return off >= begin && off < end;
}

// A narrow read of a field of `field_size` bytes stays inside the field.
bool narrow_ok(int64_t off, int size, int field_size) {
  return (off & (field_size - 1)) + size <= field_size;
}

CtxAccess scalar(int field_size = 4) {
  return {CtxValue::Scalar, static_cast<uint8_t>(field_size)};
}

// The checks every __sk_buff program type shares (bpf_skb_is_valid_access).
std::optional<CtxAccess> skb_common(int64_t off, int size, bool write, bool sign_extending) {
  using namespace skb;
  if (off < 0 || off >= kSize || off % size != 0) return std::nullopt;
  if (in(off, kCb, kCbEnd)) {
    if (off + size > kCbEnd) return std::nullopt;
    return scalar(size);
  }
  if (in(off, kData, kData + 4) || in(off, kDataMeta, kDataMeta + 4) ||
      in(off, kDataEnd, kDataEnd + 4)) {
    if (sign_extending || size != 4) return std::nullopt;
    return scalar();
  }
  if (in(off, kRemoteIp6, kLocalIp6 + 16) || in(off, kRemoteIp4, kRemoteIp4 + 4) ||
      in(off, kLocalIp4, kLocalIp4 + 4)) {
    if (size != 4) return std::nullopt;
    return scalar();
  }
  if (in(off, kFlowKeys, kFlowKeys + 8)) return std::nullopt;
  if (in(off, kHwtstamp, kHwtstamp + 8)) {
    if (write || size != 8) return std::nullopt;
    return scalar(8);
  }
  if (in(off, kTstamp, kTstamp + 8)) {
    if (size != 8) return std::nullopt;
    return scalar(8);
  }
  if (in(off, kSk, kSk + 8)) {
    if (write || size != 8) return std::nullopt;
    return CtxAccess{CtxValue::SockCommonOrNull, 8};
  }
  if (off == kTstampType || in(off, kTstampType + 1, kHwtstamp)) return std::nullopt;
  if (write) {
    if (size != 4) return std::nullopt;
  } else if (!narrow_ok(off, size, 4)) {
    return std::nullopt;
  }
  return scalar();
}

bool skb_write_allowed(SkbFlavour flavour, int64_t off) {
  using namespace skb;
  const bool cb = in(off, kCb, kCbEnd);
  switch (flavour) {
    case SkbFlavour::SocketFilter:
      return cb;
    case SkbFlavour::TcClsAct:
      return cb || in(off, kMark, kMark + 4) || in(off, kTcIndex, kTcIndex + 4) ||
             in(off, kPriority, kPriority + 4) || in(off, kTcClassid, kTcClassid + 4) ||
             in(off, kTstamp, kTstamp + 8) || in(off, kQueueMapping, kQueueMapping + 4);
    case SkbFlavour::CgroupSkb:
      return cb || in(off, kMark, kMark + 4) || in(off, kPriority, kPriority + 4) ||
             in(off, kTstamp, kTstamp + 8);
    case SkbFlavour::Lwt:
      return cb || in(off, kMark, kMark + 4) || in(off, kPriority, kPriority + 4);
    case SkbFlavour::SkSkb:
      return in(off, kTcIndex, kTcIndex + 4) || in(off, kPriority, kPriority + 4);
  }
  return false;
}

bool skb_field_denied(SkbFlavour flavour, int64_t off) {
  using namespace skb;
  const bool tc_classid = in(off, kTcClassid, kTcClassid + 4);
  const bool data = in(off, kData, kData + 4);
  const bool data_end = in(off, kDataEnd, kDataEnd + 4);
  const bool data_meta = in(off, kDataMeta, kDataMeta + 4);
  const bool sock_fields = in(off, kFamily, kLocalPortEnd);
  const bool tstamp = in(off, kTstamp, kTstamp + 8);
  const bool wire_len = in(off, kWireLen, kWireLen + 4);
  const bool hwtstamp = in(off, kHwtstamp, kHwtstamp + 8);
  switch (flavour) {
    case SkbFlavour::SocketFilter:
      return tc_classid || data || data_end || data_meta || sock_fields || tstamp || wire_len ||
             hwtstamp;
    case SkbFlavour::TcClsAct:
      return sock_fields;
    case SkbFlavour::CgroupSkb:
      return tc_classid || data_meta || wire_len;
    case SkbFlavour::Lwt:
      return tc_classid || sock_fields || data_meta || tstamp || wire_len || hwtstamp;
    case SkbFlavour::SkSkb:
      return tc_classid || data_meta || tstamp || wire_len || hwtstamp || in(off, kMark, kMark + 4);
  }
  return true;
}

}  // namespace

std::optional<CtxAccess> skb_access(SkbFlavour flavour, int64_t off, int size, bool write,
                                    bool sign_extending) {
  using namespace skb;
  if (skb_field_denied(flavour, off)) return std::nullopt;
  if (write && !skb_write_allowed(flavour, off)) return std::nullopt;
  if (flavour == SkbFlavour::TcClsAct && off == kTstampType) {
    if (size != 1) return std::nullopt;
    return scalar(1);
  }
  auto access = skb_common(off, size, write, sign_extending);
  if (!access || write) return access;
  if (in(off, kData, kData + 4)) access->value = CtxValue::Packet;
  if (in(off, kDataEnd, kDataEnd + 4)) access->value = CtxValue::PacketEnd;
  if (in(off, kDataMeta, kDataMeta + 4)) access->value = CtxValue::PacketMeta;
  return access;
}

std::optional<CtxAccess> xdp_access(int64_t off, int size, bool write, bool sign_extending) {
  // struct xdp_md: data, data_end, data_meta, ingress_ifindex, rx_queue_index,
  // egress_ifindex (devmap programs only). Read-only, 4-byte accesses.
  if (off < 0 || off >= kXdpMdSize || off % size != 0 || size != 4) return std::nullopt;
  if (off == 20 || write) return std::nullopt;
  CtxAccess access = scalar();
  if (off == 0) access.value = CtxValue::Packet;
  if (off == 4) access.value = CtxValue::PacketEnd;
  if (off == 8) access.value = CtxValue::PacketMeta;
  if (access.value != CtxValue::Scalar && sign_extending) return std::nullopt;
  return access;
}

std::optional<CtxAccess> sock_ops_access(int64_t off, int size, bool write) {
  // struct bpf_sock_ops: u32 fields, two u64 counters at 168 and 176, then the sk,
  // skb_data and skb_data_end pointers (184, 192, 200), skb_len, skb_tcp_flags and the
  // u64 skb_hwtstamp (216).
  if (off < 0 || off >= kSockOpsSize || off % size != 0) return std::nullopt;
  if (write) {
    if ((off == 4 || off == 164) && size == 4) return scalar();
    return std::nullopt;
  }
  if (in(off, 168, 184) || in(off, 216, 224)) {
    if (size != 8) return std::nullopt;
    return scalar(8);
  }
  if (in(off, 184, 192)) {
    if (size != 8) return std::nullopt;
    return CtxAccess{CtxValue::SocketOrNull, 8};
  }
  if (in(off, 192, 200)) {
    if (size != 8) return std::nullopt;
    return CtxAccess{CtxValue::Packet, 8};
  }
  if (in(off, 200, 208)) {
    if (size != 8) return std::nullopt;
    return CtxAccess{CtxValue::PacketEnd, 8};
  }
  if (off == 212) {
    if (!narrow_ok(off, size, 4)) return std::nullopt;
    return scalar();
  }
  if (size != 4) return std::nullopt;
  return scalar();
}

std::optional<CtxAccess> cgroup_sock_access(int64_t off, int size, bool write) {
  // struct bpf_sock. Socket-creation programs may write bound_dev_if, mark and priority.
  if (off < 0 || off >= kBpfSockSize || off % size != 0) return std::nullopt;
  if (write) {
    if ((off == 0 || off == 16 || off == 20) && size == 4) return scalar();
    return std::nullopt;
  }
  // Fields that allow narrow reads: family, type, protocol, the addresses, src_port,
  // state, rx_queue_mapping; dst_port (48) is a 2-byte field that may also be read as 4.
  const bool narrow_field = (off >= 4 && off < 16) || in(off, 24, 48) || in(off, 52, 80);
  if (narrow_field) {
    if (!narrow_ok(off, size, 4)) return std::nullopt;
    return scalar();
  }
  if (in(off, 48, 50)) {
    const int field = size == 4 ? 4 : 2;
    if (!narrow_ok(off, size, field)) return std::nullopt;
    return scalar(field);
  }
  if (in(off, 50, 52)) return std::nullopt;  // padding
  if (size != 4) return std::nullopt;
  return scalar();
}

std::optional<CtxAccess> kprobe_access(int64_t off, int size, bool write) {
  if (off < 0 || off >= kPtRegsSize || write || off % size != 0) return std::nullopt;
  if (off + size > kPtRegsSize) return std::nullopt;
  return scalar(size);
}

std::optional<CtxAccess> tracepoint_access(int64_t off, int size, bool write) {
  if (off < 0 || off >= kTracepointSize || write || off % size != 0) return std::nullopt;
  return scalar(size);
}

std::optional<CtxAccess> raw_tracepoint_access(int64_t off, int size, bool write) {
  if (off < 0 || off >= kRawTracepointSize || write || off % size != 0) return std::nullopt;
  return scalar(size);
}

std::optional<CtxAccess> perf_event_access(int64_t off, int size, bool write) {
  // struct bpf_perf_event_data: pt_regs, then u64 sample_period (168) and u64 addr (176).
  if (off < 0 || off >= kPerfEventDataSize || write || off % size != 0) return std::nullopt;
  if (off >= kPtRegsSize) {
    if (!narrow_ok(off, size, 8)) return std::nullopt;
    return scalar(8);
  }
  if (size != 8) return std::nullopt;
  return scalar(8);
}

}  // namespace nicsim::verifier::context
