#pragma once
// Random XDP programs built to pass the verifier: every instruction class (ALU and ALU64 with
// every operation, signed division and modulo, movsx, byte swaps; conditional jumps of both
// widths, forward and in bounded loops; stack spills and fills of every size; packet accesses
// behind bounds checks; map lookups with null checks and updates; helper calls; atomics on the
// stack and on map values; a bpf-to-bpf call), over a fixed register discipline that keeps
// every read defined and every pointer where the verifier can follow it. The verifier stays
// the judge: the fuzzer runs only what it accepts. Deterministic: a seed is a program.

#include <cstdint>
#include <vector>

#include "ebpf/program/program.h"

namespace nicsim::fuzz {

struct GeneratorOptions {
  int min_snippets = 8;
  int max_snippets = 40;
  bool subprograms = true;  // a bpf-to-bpf call target appended after the entry function
};

// The object's maps (the same in every generated program).
inline constexpr int kArrayMap = 0;  // array: u32 key, 64-byte value, 4 entries
inline constexpr int kHashMap = 1;   // hash: u32 key, 16-byte value, 8 entries
inline constexpr uint32_t kArrayValueSize = 64;
inline constexpr uint32_t kHashValueSize = 16;

ebpf::ElfObject generate_program(uint64_t seed, const GeneratorOptions& options = {});

// Random frames for one program: lengths from empty to 160 bytes, so that the bounds checks
// go both ways, some of them Ethernet/IPv4 shaped.
std::vector<std::vector<uint8_t>> generate_packets(uint64_t seed, int count);

}  // namespace nicsim::fuzz
