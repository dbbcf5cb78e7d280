#pragma once
// Map contents as JSON: preloaded before a run, dumped after it.
//
//   {"maps": {"flows": [{"key": "0a000001", "value": 1}, ...], "stats": [...]}}
//
// A key or value of N bytes is written as a hex string of its raw bytes ("0a000001"), as an
// integer when N is 1, 2, 4 or 8 (little-endian, as the host stores it), or as an array of
// N byte values. Per-CPU maps take a list with one value per CPU (or one value for all
// CPUs); prog_array values are program names; array_of_maps / hash_of_maps values are map
// names. Ring buffers and perf event arrays have no contents. Maps not named are left as
// they are. docs/maps-and-helpers.md describes the format in full.

#include <nlohmann/json.hpp>
#include <string_view>

#include "ebpf/runtime/runtime.h"

namespace nicsim::ebpf {

// Stores every entry of `contents` with BPF_ANY; throws nicsim::Error naming `source_name`,
// the map and the entry when an entry is malformed or the map refuses it.
void load_map_contents(Runtime& runtime, const nlohmann::json& contents,
                       std::string_view source_name);

// Every map's entries in get_next_key order: integers for 1/2/4/8-byte keys and values, hex
// strings otherwise (and always for lpm_trie keys). Array entries whose value is all zero are left
// out (an array has every index); ring buffers and perf event arrays are left out.
nlohmann::json dump_map_contents(const Runtime& runtime);

}  // namespace nicsim::ebpf
