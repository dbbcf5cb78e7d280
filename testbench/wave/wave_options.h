#pragma once
// What a waveform request says, for either engine: where, which format, which cycles.

#include <cstdint>
#include <string>

namespace nicsim::wave {

enum class WaveFormat { Fst, Vcd };

// [from_cycle, to_cycle) limits the dump to a cycle window so that long runs stay small. A
// GTKWave save file (<path stem>.gtkw) is written beside the dump.
struct WaveOptions {
  std::string path;  // empty: no waveform
  WaveFormat format = WaveFormat::Fst;
  uint64_t from_cycle = 0;
  uint64_t to_cycle = UINT64_MAX;
  std::string filter_path;  // nicsim-wave-filter for the save file ("" = none)
};

// Each engine writes one format natively (the RTL FST, through Verilator's FST writer; the
// model VCD) and converts to the other with GTKWave's tools when the waveform closes: the file
// the engine writes while it runs.
std::string native_dump_path(const WaveOptions& options, WaveFormat native);
// Converts the native dump into options.path when the format asked for differs (vcd2fst or
// fst2vcd) and removes it; throws nicsim::Error when the conversion fails.
void finish_dump(const WaveOptions& options, WaveFormat native);

}  // namespace nicsim::wave
