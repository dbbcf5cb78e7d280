#pragma once
// GTKWave save files (.gtkw) written beside a waveform: which dump to open, the signals grouped
// by unit, their display format, and the translate filter process that shows slot words as NIC
// assembly.

#include <string>
#include <vector>

namespace nicsim::wave {

enum class SignalFormat { Binary, Hex, Decimal, Slot };  // Slot: hex through the filter

struct WaveSignal {
  std::string path;  // hierarchical name as the dump spells it, e.g. "nic.u_core.issue"
  SignalFormat format = SignalFormat::Hex;
};

struct SignalGroup {
  std::string name;
  std::vector<WaveSignal> signals;
  bool closed = false;  // collapsed when GTKWave opens the file
};

struct GtkwLayout {
  std::string dump_file;    // the waveform the save file opens
  std::string filter_path;  // the translate filter process ("" = none)
  std::vector<SignalGroup> groups;
};

// The save file's text.
std::string format_gtkw(const GtkwLayout& layout);
// Writes it; throws nicsim::Error when the file cannot be written.
void write_gtkw(const std::string& path, const GtkwLayout& layout);
// "out.fst" -> "out.gtkw"
std::string gtkw_path_for(const std::string& dump_file);

}  // namespace nicsim::wave
