// The table of helpers nicsim implements, by kernel helper id.

#include "ebpf/runtime/helpers.h"

#include <array>

#include "ebpf/runtime/helper_functions.h"

namespace nicsim::ebpf {

namespace {

constexpr bool kIgnoresRuntime = true;  // HelperInfo::verified_ignores_runtime
constexpr bool kMovesPacket = true;     // HelperInfo::verified_moves_packet

constexpr std::array kHelpers = {
    HelperInfo{kHelperMapLookupElem, "map_lookup_elem", helper_map_lookup_elem,
               helper_map_lookup_elem_verified, kIgnoresRuntime},
    HelperInfo{kHelperMapUpdateElem, "map_update_elem", helper_map_update_elem,
               helper_map_update_elem_verified, kIgnoresRuntime},
    HelperInfo{kHelperMapDeleteElem, "map_delete_elem", helper_map_delete_elem,
               helper_map_delete_elem_verified, kIgnoresRuntime},
    HelperInfo{kHelperProbeRead, "probe_read", helper_probe_read, nullptr},
    HelperInfo{kHelperKtimeGetNs, "ktime_get_ns", helper_ktime_get_ns, helper_ktime_get_ns},
    HelperInfo{kHelperTracePrintk, "trace_printk", helper_trace_printk, nullptr},
    HelperInfo{kHelperGetPrandomU32, "get_prandom_u32", helper_get_prandom_u32,
               helper_get_prandom_u32},
    HelperInfo{kHelperGetSmpProcessorId, "get_smp_processor_id", helper_get_smp_processor_id,
               helper_get_smp_processor_id},
    // Engines implement tail calls themselves: the helper replaces the running program.
    HelperInfo{kHelperTailCall, "tail_call", nullptr, nullptr},
    HelperInfo{kHelperRedirect, "redirect", helper_redirect, helper_redirect},
    HelperInfo{kHelperPerfEventOutput, "perf_event_output", helper_perf_event_output, nullptr},
    HelperInfo{kHelperCsumDiff, "csum_diff", helper_csum_diff, helper_csum_diff_verified,
               kIgnoresRuntime},
    HelperInfo{kHelperXdpAdjustHead, "xdp_adjust_head", helper_xdp_adjust_head,
               helper_xdp_adjust_head_verified, kIgnoresRuntime, kMovesPacket},
    HelperInfo{kHelperRedirectMap, "redirect_map", helper_redirect_map,
               helper_redirect_map_verified},
    HelperInfo{kHelperXdpAdjustMeta, "xdp_adjust_meta", helper_xdp_adjust_meta,
               helper_xdp_adjust_meta_verified, kIgnoresRuntime, kMovesPacket},
    HelperInfo{kHelperXdpAdjustTail, "xdp_adjust_tail", helper_xdp_adjust_tail,
               helper_xdp_adjust_tail_verified, kIgnoresRuntime, kMovesPacket},
    HelperInfo{kHelperFibLookup, "fib_lookup", helper_fib_lookup, helper_fib_lookup_verified},
    HelperInfo{kHelperKtimeGetBootNs, "ktime_get_boot_ns", helper_ktime_get_ns,
               helper_ktime_get_ns},
    HelperInfo{kHelperRingbufOutput, "ringbuf_output", helper_ringbuf_output, nullptr},
    HelperInfo{kHelperRingbufReserve, "ringbuf_reserve", helper_ringbuf_reserve, nullptr},
    HelperInfo{kHelperRingbufSubmit, "ringbuf_submit", helper_ringbuf_submit, nullptr},
    HelperInfo{kHelperRingbufDiscard, "ringbuf_discard", helper_ringbuf_discard, nullptr},
    HelperInfo{kHelperKtimeGetCoarseNs, "ktime_get_coarse_ns", helper_ktime_get_ns,
               helper_ktime_get_ns},
};

constexpr bool sorted_by_id() {
  for (size_t i = 1; i < kHelpers.size(); ++i) {
    if (kHelpers[i - 1].id >= kHelpers[i].id) return false;
  }
  return true;
}
static_assert(sorted_by_id(), "kHelpers must be sorted by helper id");

// kHelpers' index of each helper id (-1: not implemented): a helper call looks its helper up
// at run time in the interpreter, the NIC model and the RTL system, so by index, not by search.
constexpr auto kIndexById = [] {
  std::array<int16_t, kHelpers.back().id + 1> index{};
  index.fill(-1);
  for (size_t i = 0; i < kHelpers.size(); ++i)
    index[static_cast<size_t>(kHelpers[i].id)] = static_cast<int16_t>(i);
  return index;
}();

}  // namespace

const HelperInfo* find_helper(int32_t id) {
  if (id < 0 || static_cast<size_t>(id) >= kIndexById.size()) return nullptr;
  const int16_t i = kIndexById[static_cast<size_t>(id)];
  return i < 0 ? nullptr : &kHelpers[static_cast<size_t>(i)];
}

std::span<const HelperInfo> implemented_helpers() {
  return kHelpers;
}

}  // namespace nicsim::ebpf
