#pragma once
// The helper functions programs call, by kernel helper id (enum bpf_func_id). Every helper
// has the C calling convention of a JIT-compiled call: five 64-bit arguments (r1..r5) and the
// runtime as a sixth, returning r0, so that the interpreter and the host JITs call the same
// code. Helpers validate pointer arguments with Runtime::accessible and report bad ones with
// Runtime::raise_fault; the engine then aborts the program.

#include <cstdint>
#include <span>
#include <string_view>

#include "ebpf/runtime/runtime.h"

namespace nicsim::ebpf {

using HelperFunction = uint64_t (*)(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
                                    Runtime* runtime);

// Kernel helper ids used by nicsim (numbering from include/uapi/linux/bpf.h).
enum HelperId : int32_t {
  kHelperMapLookupElem = 1,
  kHelperMapUpdateElem = 2,
  kHelperMapDeleteElem = 3,
  kHelperProbeRead = 4,
  kHelperKtimeGetNs = 5,
  kHelperTracePrintk = 6,
  kHelperGetPrandomU32 = 7,
  kHelperGetSmpProcessorId = 8,
  kHelperSkbStoreBytes = 9,
  kHelperL3CsumReplace = 10,
  kHelperL4CsumReplace = 11,
  kHelperTailCall = 12,
  kHelperRedirect = 23,
  kHelperPerfEventOutput = 25,
  kHelperCsumDiff = 28,
  kHelperXdpAdjustHead = 44,
  kHelperRedirectMap = 51,
  kHelperXdpAdjustMeta = 54,
  kHelperFibLookup = 69,
  kHelperXdpAdjustTail = 65,
  kHelperKtimeGetBootNs = 125,
  kHelperRingbufOutput = 130,
  kHelperRingbufReserve = 131,
  kHelperRingbufSubmit = 132,
  kHelperRingbufDiscard = 133,
  kHelperKtimeGetCoarseNs = 160,
};

struct HelperInfo {
  int32_t id;
  std::string_view name;    // kernel name without the bpf_ prefix, e.g. "map_lookup_elem"
  HelperFunction function;  // nullptr for helpers an engine implements itself (tail_call)
  // What code the verifier accepted may call instead, directly, without the engine's
  // bookkeeping around helper calls: the same result, minus the argument checks the verifier
  // has made (map pointers, key and value sizes, memory arguments, the context pointer); it
  // never faults, never throws and never reads the Runtime's memory regions. The checks that
  // are the helper's own semantics stay (an adjustment beyond the frame still fails with
  // -EINVAL). nullptr when the helper needs the engine around it (it may fault on what the
  // verifier cannot see).
  HelperFunction verified;
  // The verified variant never reads its Runtime argument: a caller may leave it undefined.
  bool verified_ignores_runtime = false;
  // The verified variant moves the packet (xdp_adjust_*): it needs the Runtime's XDP frame,
  // and an engine must re-read any packet range it keeps.
  bool verified_moves_packet = false;
};

// nullptr when nicsim does not implement helper `id`.
const HelperInfo* find_helper(int32_t id);
// All helpers nicsim implements, sorted by id.
std::span<const HelperInfo> implemented_helpers();
// The kernel's name for any helper id ("map_lookup_elem"), or "" if unknown to nicsim.
std::string_view helper_name(int32_t id);

}  // namespace nicsim::ebpf
