#include "model/config.h"

#include <fmt/format.h>

#include <cctype>
#include <cstdlib>

#include "ebpf/util/error.h"

namespace nicsim::model {

void validate_config(const ModelConfig& config) {
  const auto range = [](const char* name, uint64_t value, uint64_t lo, uint64_t hi) {
    if (value < lo || value > hi)
      throw Error(fmt::format("model: {} = {} is outside {}..{}", name, value, lo, hi));
  };
  range("contexts", config.contexts, 1, 16);
  range("cores", config.cores, 1, 16);
  range("dispatch bytes per cycle", config.dispatch_bytes_per_cycle, 1, 4096);
  range("max cycles per packet", config.max_cycles_per_packet, 1, uint64_t{1} << 40);
  if (!(config.clock_hz > 0)) throw Error("model: the clock must be positive");
  const LatencyConfig& l = config.latency;
  for (auto [name, value] : {std::pair{"multiply latency", l.multiply},
                             {"divide64 latency", l.divide64},
                             {"divide32 latency", l.divide32},
                             {"packet load latency", l.packet_load},
                             {"stack load latency", l.stack_load},
                             {"context load latency", l.context_load},
                             {"map load latency", l.map_load},
                             {"firmware load latency", l.firmware_load},
                             {"map array lookup latency", l.map_array_lookup},
                             {"map hash latency", l.map_hash_base},
                             {"map lpm latency", l.map_lpm_base},
                             {"map latency", l.map_other},
                             {"checksum latency", l.csum_base},
                             {"packet adjust latency", l.packet_adjust},
                             {"redirect latency", l.redirect},
                             {"redirect_map latency", l.redirect_map}}) {
    range(name, value, 1, 1u << 20);
  }
}

double parse_clock(const std::string& text) {
  const char* begin = text.c_str();
  char* end = nullptr;
  const double value = std::strtod(begin, &end);
  if (end == begin) throw Error(fmt::format("clock '{}': expected a number such as 250MHz", text));
  std::string unit(end);
  std::erase_if(unit, [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
  for (auto& c : unit)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  double scale = 0;
  if (unit.empty() || unit == "hz")
    scale = 1;
  else if (unit == "khz")
    scale = 1e3;
  else if (unit == "mhz")
    scale = 1e6;
  else if (unit == "ghz")
    scale = 1e9;
  else
    throw Error(fmt::format("clock '{}': unknown unit '{}'", text, unit));
  if (!(value > 0)) throw Error(fmt::format("clock '{}' must be positive", text));
  return value * scale;
}

}  // namespace nicsim::model
