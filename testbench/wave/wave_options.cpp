#include "testbench/wave/wave_options.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>

#include "ebpf/util/error.h"

namespace nicsim::wave {

namespace {

// Single-quoted for a POSIX shell: a quote inside becomes '\''.
std::string shell_quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string native_dump_path(const WaveOptions& options, WaveFormat native) {
  if (options.format == native) return options.path;
  return options.path + (native == WaveFormat::Vcd ? ".vcd.tmp" : ".fst.tmp");
}

void finish_dump(const WaveOptions& options, WaveFormat native) {
  if (options.format == native) return;
  const std::string from = native_dump_path(options, native);
  const std::string command =
      native == WaveFormat::Vcd
          ? fmt::format("vcd2fst {} {} > /dev/null", shell_quoted(from), shell_quoted(options.path))
          : fmt::format("fst2vcd {} > {}", shell_quoted(from), shell_quoted(options.path));
  const int status = std::system(command.c_str());
  std::error_code ignored;
  std::filesystem::remove(from, ignored);
  if (status != 0) throw Error(fmt::format("cannot convert the waveform ('{}' failed)", command));
}

}  // namespace nicsim::wave
