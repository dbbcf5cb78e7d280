#pragma once
// The same map contents on both sides of a comparison: entries of nicsim's maps (a Runtime
// filled from a .maps.json, say) written into the kernel maps of a loaded program.

#include <string>
#include <vector>

#include "ebpf/runtime/runtime.h"
#include "testbench/kernel_oracle/kernel_program.h"

namespace nicsim::kernel_oracle {

struct MapTransferReport {
  size_t entries_copied = 0;
  // Maps left out, one line each: types whose values name kernel objects (prog_array,
  // maps of maps, cpumap, xskmap, sockmap...) or hold no entries (ring buffers, perf event
  // arrays), maps the kernel side did not create, entries the kernel refused (a devmap
  // entry naming an interface this machine does not have).
  std::vector<std::string> skipped;
};

// Copies every entry of every map of `runtime` (same object as `kernel`) into the kernel's
// map. Per-CPU values: nicsim's CPU 0 copy goes to every possible CPU of the kernel.
MapTransferReport copy_map_contents(const ebpf::Runtime& runtime, const KernelProgram& kernel);

// Values hold timestamps or random numbers when the program stores bpf_ktime_get_ns() or
// bpf_get_prandom_u32(): then only the keys can be expected to match.
enum class MapComparison { KeysAndValues, KeysOnly };

// After both sides ran the same packets: every entry of nicsim's hash, array and LPM-trie
// maps against the kernel's (both directions), one line per difference ("map 'stats': key
// 01000000: nicsim 0300000000000000, kernel 0200000000000000"). Per-CPU maps (the kernel
// runs each test on whichever CPU it is on), LRU maps (eviction order is the kernel's) and
// maps the kernel side did not create are left out.
std::vector<std::string> compare_map_contents(const ebpf::Runtime& runtime,
                                              const KernelProgram& kernel,
                                              MapComparison what = MapComparison::KeysAndValues);

}  // namespace nicsim::kernel_oracle
