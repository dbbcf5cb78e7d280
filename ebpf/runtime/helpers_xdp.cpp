// The XDP helpers: bpf_redirect, bpf_redirect_map, bpf_xdp_adjust_head/tail/meta, and
// bpf_csum_diff.

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "ebpf/maps/redirect_map.h"
#include "ebpf/runtime/checksum.h"
#include "ebpf/runtime/helper_functions.h"
#include "ebpf/runtime/helper_support.h"

namespace nicsim::ebpf {

using namespace helper_support;

namespace {

constexpr uint64_t kRedirectBroadcast = 1u << 3;       // BPF_F_BROADCAST
constexpr uint64_t kRedirectExcludeIngress = 1u << 4;  // BPF_F_EXCLUDE_INGRESS
constexpr uint64_t kActionMask = 3;                    // XDP_ABORTED | XDP_DROP | XDP_PASS | XDP_TX
constexpr uint32_t kCsumScratchSize = 512;             // struct bpf_scratchpad

constexpr uint64_t action(XdpAction a) {
  return static_cast<uint64_t>(a);
}

RedirectTarget::Kind redirect_kind(MapType type) {
  switch (type) {
    case MapType::Devmap:
    case MapType::DevmapHash:
      return RedirectTarget::Kind::Devmap;
    case MapType::Cpumap:
      return RedirectTarget::Kind::Cpumap;
    default:
      return RedirectTarget::Kind::Xskmap;
  }
}

}  // namespace

uint64_t helper_redirect(uint64_t ifindex, uint64_t flags, uint64_t, uint64_t, uint64_t,
                         Runtime* runtime) {
  // bpf_xdp_redirect: no flags are defined for XDP.
  if (flags != 0) return action(XdpAction::Aborted);
  RedirectTarget& target = runtime->redirect();
  target = RedirectTarget{};
  target.kind = RedirectTarget::Kind::Ifindex;
  target.ifindex = static_cast<uint32_t>(ifindex);
  return action(XdpAction::Redirect);
}

namespace {

// bpf_redirect_map once its map is known to be a devmap, cpumap or xskmap.
uint64_t redirect_through(RedirectMap& map, uint64_t key, uint64_t flags, Runtime& runtime) {
  const MapType type = map.def().type;
  const bool devmap = type == MapType::Devmap || type == MapType::DevmapHash;
  const uint64_t allowed =
      kActionMask | (devmap ? kRedirectBroadcast | kRedirectExcludeIngress : 0);
  if (flags & ~allowed) return action(XdpAction::Aborted);

  RedirectTarget& target = runtime.redirect();
  const auto index = static_cast<uint32_t>(key);
  const std::optional<uint32_t> value = map.target(index);
  if (!value && !(flags & kRedirectBroadcast)) {
    // A failed lookup clears any earlier redirect and returns the fallback action.
    target = RedirectTarget{};
    return flags & kActionMask;
  }
  target = RedirectTarget{};
  target.kind = redirect_kind(type);
  target.map_index = static_cast<uint32_t>(runtime.map_index(&map));
  target.key = index;
  if (flags & kRedirectBroadcast) {
    target.flags = flags & (kRedirectBroadcast | kRedirectExcludeIngress);
  } else {
    // Devmap: the egress interface; cpumap and xskmap: the CPU or queue (the key).
    target.ifindex = devmap ? *value : index;
  }
  return action(XdpAction::Redirect);
}

}  // namespace

uint64_t helper_redirect_map(uint64_t map_ptr, uint64_t key, uint64_t flags, uint64_t, uint64_t,
                             Runtime* runtime) {
  Map* map = map_argument(*runtime, "redirect_map", map_ptr);
  if (map == nullptr) return 0;
  auto* redirect_map = dynamic_cast<RedirectMap*>(map);
  if (redirect_map == nullptr) {
    runtime->raise_fault(
        fmt::format("helper redirect_map: map '{}' ({}) is not a devmap, cpumap "
                    "or xskmap",
                    map->def().name, map_type_name(map->def().type)));
    return 0;
  }
  return redirect_through(*redirect_map, key, flags, *runtime);
}

uint64_t helper_redirect_map_verified(uint64_t map_ptr, uint64_t key, uint64_t flags, uint64_t,
                                      uint64_t, Runtime* runtime) {
  // The verifier passes only devmaps, cpumaps and xskmaps to this helper, and every one of
  // them is a RedirectMap (create_map).
  return redirect_through(*static_cast<RedirectMap*>(host_pointer<Map>(map_ptr)), key, flags,
                          *runtime);
}

uint64_t helper_xdp_adjust_head(uint64_t ctx, uint64_t delta, uint64_t, uint64_t, uint64_t,
                                Runtime* runtime) {
  XdpFrame* frame = xdp_frame_argument(*runtime, "xdp_adjust_head", ctx);
  if (frame == nullptr) return 0;
  return error_result(frame->adjust_head(static_cast<int32_t>(delta)));
}

uint64_t helper_xdp_adjust_tail(uint64_t ctx, uint64_t delta, uint64_t, uint64_t, uint64_t,
                                Runtime* runtime) {
  XdpFrame* frame = xdp_frame_argument(*runtime, "xdp_adjust_tail", ctx);
  if (frame == nullptr) return 0;
  return error_result(frame->adjust_tail(static_cast<int32_t>(delta)));
}

uint64_t helper_xdp_adjust_meta(uint64_t ctx, uint64_t delta, uint64_t, uint64_t, uint64_t,
                                Runtime* runtime) {
  XdpFrame* frame = xdp_frame_argument(*runtime, "xdp_adjust_meta", ctx);
  if (frame == nullptr) return 0;
  return error_result(frame->adjust_meta(static_cast<int32_t>(delta)));
}

// The verified variants: the verifier proved r1 the context, and the engine calls them only
// while the program runs on a frame (HelperInfo::verified_moves_packet), so r1 leads to the
// frame. The frame's own limits (headroom, tailroom, metadata size) still decide success.
namespace {

XdpFrame& frame_of(uint64_t ctx) {
  return *host_pointer<XdpContextShadow>(ctx)->frame;
}

}  // namespace

uint64_t helper_xdp_adjust_head_verified(uint64_t ctx, uint64_t delta, uint64_t, uint64_t, uint64_t,
                                         Runtime*) {
  return error_result(frame_of(ctx).adjust_head(static_cast<int32_t>(delta)));
}

uint64_t helper_xdp_adjust_tail_verified(uint64_t ctx, uint64_t delta, uint64_t, uint64_t, uint64_t,
                                         Runtime*) {
  return error_result(frame_of(ctx).adjust_tail(static_cast<int32_t>(delta)));
}

uint64_t helper_xdp_adjust_meta_verified(uint64_t ctx, uint64_t delta, uint64_t, uint64_t, uint64_t,
                                         Runtime*) {
  return error_result(frame_of(ctx).adjust_meta(static_cast<int32_t>(delta)));
}

namespace {

// bpf_csum_diff once `from` and `to` are known readable for their sizes.
uint64_t csum_diff_of_readable(uint64_t from, uint32_t from_bytes, uint64_t to, uint32_t to_bytes,
                               uint64_t seed) {
  if (((from_bytes | to_bytes) & 3) != 0 || uint64_t{from_bytes} + to_bytes > kCsumScratchSize)
    return error_result(-EINVAL);
  // The kernel sums ~from words then to words into a scratch buffer with csum_partial.
  uint32_t sum = static_cast<uint32_t>(seed);
  for (uint32_t i = 0; i < from_bytes; i += 4) {
    uint32_t word;
    std::memcpy(&word, host_pointer<const uint8_t>(from) + i, 4);
    sum = ones_complement_add32(sum, ~word);
  }
  return csum_partial32(host_pointer<const uint8_t>(to), to_bytes, sum);
}

}  // namespace

uint64_t helper_csum_diff(uint64_t from, uint64_t from_size, uint64_t to, uint64_t to_size,
                          uint64_t seed, Runtime* runtime) {
  const auto from_bytes = static_cast<uint32_t>(from_size);
  const auto to_bytes = static_cast<uint32_t>(to_size);
  if (!check_readable(*runtime, "csum_diff", "from", from, from_bytes) ||
      !check_readable(*runtime, "csum_diff", "to", to, to_bytes))
    return 0;
  return csum_diff_of_readable(from, from_bytes, to, to_bytes, seed);
}

// The verifier proved `from` and `to` readable for their constant sizes.
uint64_t helper_csum_diff_verified(uint64_t from, uint64_t from_size, uint64_t to, uint64_t to_size,
                                   uint64_t seed, Runtime*) {
  return csum_diff_of_readable(from, static_cast<uint32_t>(from_size), to,
                               static_cast<uint32_t>(to_size), seed);
}

}  // namespace nicsim::ebpf
