// nicsim wave: open a waveform that `nicsim sim --wave` wrote in GTKWave, with the save file
// beside it (signal groups, slot words shown as NIC assembly); without a display, print the
// command to run where there is one.

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>

#include "ebpf/util/error.h"
#include "testbench/wave/wave_viewer.h"
#include "tools/nicsim/cli_common.h"
#include "tools/nicsim/command.h"

namespace nicsim::cli {

int wave_main(const std::vector<std::string>& args) {
  std::string dump;
  po::options_description options("options");
  options.add_options()("dump", po::value(&dump)->required(), "waveform (.fst or .vcd)")(
      "print", "only print the GTKWave command");
  po::positional_options_description positional;
  positional.add("dump", 1);
  po::variables_map values;
  if (!parse_command_line(args, "usage: nicsim wave out.fst [--print]", options, positional,
                          values))
    return kExitOk;
  if (!std::filesystem::is_regular_file(dump))
    throw Error(fmt::format("{}: no such waveform (write one with nicsim sim --wave)", dump));
  const wave::ViewerCommand viewer = wave::viewer_command(dump);
  if (!viewer.display || values.count("print")) {
    if (!viewer.display) fmt::print("no display (DISPLAY/WAYLAND_DISPLAY unset); run:\n");
    fmt::print("{}\n", viewer.command);
    return kExitOk;
  }
  fmt::print("{}\n", viewer.command);
  const int status = std::system((viewer.command + " &").c_str());
  if (status != 0) throw Error(fmt::format("could not start GTKWave: {}", viewer.command));
  return kExitOk;
}

}  // namespace nicsim::cli
