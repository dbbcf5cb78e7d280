#pragma once
// Parameters of the modelled NIC (docs/nic-isa.md sections 1 and 7). Lanes and memory ports
// come from the image; everything else is chosen here. Defaults are the documented ones.

#include <cstdint>
#include <string>

namespace nicsim::model {

struct LatencyConfig {
  uint32_t multiply = 2;
  uint32_t divide64 = 33;
  uint32_t divide32 = 17;
  // Loads, by region of the effective address.
  uint32_t packet_load = 2;
  uint32_t stack_load = 2;
  uint32_t context_load = 2;
  uint32_t map_load = 2;
  uint32_t firmware_load = 2;
  // Helper units: the latency of r0 (and of the context's block).
  uint32_t map_array_lookup = 2;  // array-like maps
  uint32_t map_hash_base = 6;     // + ceil(key_size / 8)
  uint32_t map_lpm_base = 4;      // + key_size
  uint32_t map_other = 8;         // map types without a dedicated table
  uint32_t csum_base = 2;         // + ceil(from / 8) + ceil(to / 8)
  uint32_t packet_adjust = 2;
  uint32_t redirect = 1;
  uint32_t redirect_map = 2;
};

struct ModelConfig {
  uint32_t contexts = 4;                   // K, per core
  uint32_t cores = 1;                      // N
  uint32_t dispatch_bytes_per_cycle = 32;  // B, dispatcher and output engine
  double clock_hz = 250e6;                 // for reports only
  uint64_t max_cycles_per_packet = 1'000'000;
  LatencyConfig latency;
};

// Throws nicsim::Error naming the parameter when `config` is outside the documented ranges.
void validate_config(const ModelConfig& config);

// "156.25MHz", "250 MHz", "1GHz", "2.5e8" -> Hz; throws nicsim::Error for anything else.
double parse_clock(const std::string& text);

}  // namespace nicsim::model
