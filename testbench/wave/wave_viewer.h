#pragma once
// What `nicsim wave out.fst` does: open the waveform in GTKWave with the save file written
// beside it when a display exists, and otherwise print the command.

#include <string>

namespace nicsim::wave {

struct ViewerCommand {
  std::string command;   // gtkwave '<dump>' ['<save file>']
  bool display = false;  // DISPLAY or WAYLAND_DISPLAY is set
};

ViewerCommand viewer_command(const std::string& dump_file);

// The nicsim-wave-filter executable for a save file: $NICSIM_WAVE_FILTER when set, else the one
// beside the running executable, else the build tree's (bin/ of the build directory the
// running executable lies in), else "" (the save file then names no filter).
std::string locate_wave_filter();

}  // namespace nicsim::wave
