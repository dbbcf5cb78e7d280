// bpf_fib_lookup (XDP flavour: the MTU is always checked) against the runtime's Fib.

#include <cerrno>
#include <cstddef>
#include <cstring>

#include "ebpf/runtime/helper_functions.h"
#include "ebpf/runtime/helper_support.h"

namespace nicsim::ebpf {

using namespace helper_support;

namespace {

// struct bpf_fib_lookup of include/uapi/linux/bpf.h (64 bytes).
struct FibLookupParams {
  uint8_t family;
  uint8_t l4_protocol;
  uint16_t sport;
  uint16_t dport;
  uint16_t tot_len_or_mtu_result;
  uint32_t ifindex;
  uint32_t tos_flowinfo_or_metric;
  uint8_t src[16];  // ipv4_src or ipv6_src
  uint8_t dst[16];  // ipv4_dst or ipv6_dst
  uint16_t h_vlan_proto;
  uint16_t h_vlan_tci;
  uint8_t smac[6];
  uint8_t dmac[6];
};
static_assert(sizeof(FibLookupParams) == 64);
static_assert(offsetof(FibLookupParams, dst) == 32);
static_assert(offsetof(FibLookupParams, smac) == 52);

constexpr uint8_t kAfInet = 2;
constexpr uint8_t kAfInet6 = 10;
constexpr uint32_t kFibLookupDirect = 1u << 0;
constexpr uint32_t kFibLookupOutput = 1u << 1;
constexpr uint32_t kFibLookupSkipNeigh = 1u << 2;

enum FibResult : uint64_t {
  kFibSuccess = 0,
  kFibNotForwarded = 4,
  kFibNoNeighbour = 7,
  kFibFragNeeded = 8,
};

// rt6_need_strict: multicast, link-local and loopback IPv6 addresses are never forwarded.
bool ipv6_needs_strict(const uint8_t* address) {
  static constexpr uint8_t kLoopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  return address[0] == 0xff || (address[0] == 0xfe && (address[1] & 0xc0) == 0x80) ||
         std::memcmp(address, kLoopback, 16) == 0;
}

}  // namespace

namespace {

// The program fills the parameters field by field just before the call, so each field is
// read and written with its own width, as the kernel's helper does: a load of one field
// takes its bytes from the program's store still in the store buffer, where one 64-byte
// copy of the whole struct, spanning many stores, waited for all of them to reach the cache
// (kernel/xdp_fwd's steady loop: 78 % of the helper's samples sat on that copy's load).
template <class T>
T load_field(uint64_t params, size_t offset) {
  T value;
  std::memcpy(&value, host_pointer<const uint8_t>(params) + offset, sizeof value);
  return value;
}

template <class T>
void store_field(uint64_t params, size_t offset, T value) {
  std::memcpy(host_pointer<uint8_t>(params) + offset, &value, sizeof value);
}

// Copies an IPv4 (one word) or IPv6 (four words, as in6_addr's __be32 array) address field
// into `address` a word at a time (a copy of a zeroed array with one word stored in it is
// the same stall again).
void load_address(uint64_t params, size_t offset, int family, uint8_t* address) {
  for (size_t word = 0; word < (family == 4 ? 1u : 4u); ++word) {
    const auto value = load_field<uint32_t>(params, offset + 4 * word);
    std::memcpy(address + 4 * word, &value, 4);
  }
}

// bpf_fib_lookup once `params_ptr` is known writable for 64 bytes (when plen allows it).
uint64_t fib_lookup_in(Runtime& runtime, uint64_t params_ptr, int32_t length, uint64_t flags) {
  if (length < static_cast<int32_t>(sizeof(FibLookupParams))) return error_result(-EINVAL);
  // Only the main table exists, so TBID, SRC and MARK lookups are refused.
  if (static_cast<uint32_t>(flags) & ~(kFibLookupDirect | kFibLookupOutput | kFibLookupSkipNeigh))
    return error_result(-EINVAL);

  const auto family_field = load_field<uint8_t>(params_ptr, offsetof(FibLookupParams, family));
  int family;
  if (family_field == kAfInet) {
    family = 4;
  } else if (family_field == kAfInet6) {
    family = 6;
  } else {
    return error_result(-EAFNOSUPPORT);
  }
  uint8_t dst[16];  // family 4: the first 4 bytes, the only ones read
  load_address(params_ptr, offsetof(FibLookupParams, dst), family, dst);
  if (family == 6) {
    uint8_t src[16];
    load_address(params_ptr, offsetof(FibLookupParams, src), family, src);
    if (ipv6_needs_strict(dst) || ipv6_needs_strict(src)) return kFibNotForwarded;
  }

  const FibRoute* route = runtime.fib().lookup(family, dst);
  if (route == nullptr) return kFibNotForwarded;
  const uint32_t mtu = route->mtu;
  constexpr size_t kTotLen = offsetof(FibLookupParams, tot_len_or_mtu_result);
  if (load_field<uint16_t>(params_ptr, kTotLen) > mtu) {
    store_field(params_ptr, kTotLen, static_cast<uint16_t>(mtu));
    return kFibFragNeeded;
  }
  // rt_metric: routes carry no priority here
  store_field(params_ptr, offsetof(FibLookupParams, tos_flowinfo_or_metric), uint32_t{0});
  store_field(params_ptr, offsetof(FibLookupParams, ifindex), route->ifindex);
  if (route->gateway) {
    std::memcpy(host_pointer<uint8_t>(params_ptr) + offsetof(FibLookupParams, dst),
                route->gateway->data(), family == 4 ? 4 : 16);
  }

  uint64_t result = kFibSuccess;
  if (!(flags & kFibLookupSkipNeigh)) {
    if (!route->dmac) {
      result = kFibNoNeighbour;
    } else {
      std::memcpy(host_pointer<uint8_t>(params_ptr) + offsetof(FibLookupParams, dmac),
                  route->dmac->data(), 6);
      std::memcpy(host_pointer<uint8_t>(params_ptr) + offsetof(FibLookupParams, smac),
                  route->smac.data(), 6);
    }
  }
  if (result == kFibSuccess) {
    store_field(params_ptr, offsetof(FibLookupParams, h_vlan_proto), uint16_t{0});
    store_field(params_ptr, offsetof(FibLookupParams, h_vlan_tci), uint16_t{0});
    store_field(params_ptr, kTotLen, static_cast<uint16_t>(mtu));
  }
  return result;
}

}  // namespace

uint64_t helper_fib_lookup(uint64_t ctx, uint64_t params_ptr, uint64_t plen, uint64_t flags,
                           uint64_t, Runtime* runtime) {
  if (runtime->frame() != nullptr && xdp_frame_argument(*runtime, "fib_lookup", ctx) == nullptr)
    return 0;
  const auto length = static_cast<int32_t>(plen);
  if (length >= static_cast<int32_t>(sizeof(FibLookupParams)) &&
      !check_writable(*runtime, "fib_lookup", "params", params_ptr, sizeof(FibLookupParams)))
    return 0;
  return fib_lookup_in(*runtime, params_ptr, length, flags);
}

// The verifier proved r1 the context and `params_ptr` initialised memory of plen bytes that the
// program may write (a read-only map value is refused, as fib_lookup's MEM_WRITE argument is in
// Linux), so the checked helper's writability test is already done.
uint64_t helper_fib_lookup_verified(uint64_t, uint64_t params_ptr, uint64_t plen, uint64_t flags,
                                    uint64_t, Runtime* runtime) {
  return fib_lookup_in(*runtime, params_ptr, static_cast<int32_t>(plen), flags);
}

}  // namespace nicsim::ebpf
