#pragma once
// The helper implementations behind the table of helpers.h, one declaration per helper
// (HelperFunction signature); *_verified are the variants code the verifier accepted calls
// directly (HelperInfo::verified). Internal to ebpf/runtime; engines go through find_helper().

#include <cstdint>

#include "ebpf/runtime/runtime.h"

namespace nicsim::ebpf {

#define NICSIM_HELPER(name)                                                               \
  uint64_t helper_##name(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, \
                         Runtime* runtime)

// helpers_maps.cpp
NICSIM_HELPER(map_lookup_elem);
NICSIM_HELPER(map_update_elem);
NICSIM_HELPER(map_delete_elem);
NICSIM_HELPER(map_lookup_elem_verified);
NICSIM_HELPER(map_update_elem_verified);
NICSIM_HELPER(map_delete_elem_verified);

// helpers_misc.cpp
NICSIM_HELPER(probe_read);
NICSIM_HELPER(ktime_get_ns);
NICSIM_HELPER(get_prandom_u32);
NICSIM_HELPER(get_smp_processor_id);

// helpers_printk.cpp
NICSIM_HELPER(trace_printk);

// helpers_xdp.cpp
NICSIM_HELPER(redirect);
NICSIM_HELPER(redirect_map);
NICSIM_HELPER(redirect_map_verified);
NICSIM_HELPER(xdp_adjust_head);
NICSIM_HELPER(xdp_adjust_tail);
NICSIM_HELPER(xdp_adjust_meta);
NICSIM_HELPER(xdp_adjust_head_verified);
NICSIM_HELPER(xdp_adjust_tail_verified);
NICSIM_HELPER(xdp_adjust_meta_verified);
NICSIM_HELPER(csum_diff);
NICSIM_HELPER(csum_diff_verified);

// helpers_fib.cpp
NICSIM_HELPER(fib_lookup);
NICSIM_HELPER(fib_lookup_verified);

// helpers_output.cpp
NICSIM_HELPER(perf_event_output);
NICSIM_HELPER(ringbuf_output);
NICSIM_HELPER(ringbuf_reserve);
NICSIM_HELPER(ringbuf_submit);
NICSIM_HELPER(ringbuf_discard);

#undef NICSIM_HELPER

}  // namespace nicsim::ebpf
