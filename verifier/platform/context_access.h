#pragma once
// Context layouts of the Linux program types: which (offset, size) accesses each type may
// make to its context and what a read yields, as the kernel's *_is_valid_access functions
// decide (net/core/filter.c, kernel/trace/bpf_trace.c, kernel 6.12).

#include <cstdint>
#include <optional>

#include "verifier/platform/platform.h"

namespace nicsim::verifier::context {

// struct __sk_buff offsets.
namespace skb {
constexpr int kLen = 0;
constexpr int kMark = 8;
constexpr int kQueueMapping = 12;
constexpr int kPriority = 32;
constexpr int kTcIndex = 44;
constexpr int kCb = 48;
constexpr int kCbEnd = 68;
constexpr int kTcClassid = 72;
constexpr int kData = 76;
constexpr int kDataEnd = 80;
constexpr int kFamily = 88;
constexpr int kRemoteIp4 = 92;
constexpr int kLocalIp4 = 96;
constexpr int kRemoteIp6 = 100;
constexpr int kLocalIp6 = 116;
constexpr int kLocalPortEnd = 140;
constexpr int kDataMeta = 140;
constexpr int kFlowKeys = 144;
constexpr int kTstamp = 152;
constexpr int kWireLen = 160;
constexpr int kSk = 168;
constexpr int kTstampType = 180;
constexpr int kHwtstamp = 184;
constexpr int kSize = 192;
}  // namespace skb

enum class SkbFlavour { SocketFilter, TcClsAct, CgroupSkb, Lwt, SkSkb };

std::optional<CtxAccess> skb_access(SkbFlavour flavour, int64_t off, int size, bool write,
                                    bool sign_extending);
std::optional<CtxAccess> xdp_access(int64_t off, int size, bool write, bool sign_extending);
std::optional<CtxAccess> sock_ops_access(int64_t off, int size, bool write);
std::optional<CtxAccess> cgroup_sock_access(int64_t off, int size, bool write);
std::optional<CtxAccess> kprobe_access(int64_t off, int size, bool write);
std::optional<CtxAccess> tracepoint_access(int64_t off, int size, bool write);
std::optional<CtxAccess> raw_tracepoint_access(int64_t off, int size, bool write);
std::optional<CtxAccess> perf_event_access(int64_t off, int size, bool write);

constexpr uint32_t kXdpMdSize = 24;
constexpr uint32_t kSockOpsSize = 224;
constexpr uint32_t kBpfSockSize = 80;
constexpr uint32_t kPtRegsSize = 168;        // x86_64
constexpr uint32_t kTracepointSize = 2048;   // PERF_MAX_TRACE_SIZE
constexpr uint32_t kRawTracepointSize = 96;  // 12 u64 arguments
constexpr uint32_t kPerfEventDataSize = 184;

}  // namespace nicsim::verifier::context
