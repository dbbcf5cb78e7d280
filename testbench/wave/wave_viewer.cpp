#include "testbench/wave/wave_viewer.h"

#include <cstdlib>
#include <filesystem>

#include "testbench/wave/gtkw_writer.h"

namespace nicsim::wave {

namespace {

// Single-quoted for a POSIX shell: a quote inside becomes '\''.
std::string quoted(const std::string& text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('\'');
  for (char c : text) {
    if (c == '\'') {
      out.append("'\\''");
    } else {
      out.push_back(c);
    }
  }
  out.push_back('\'');
  return out;
}

bool set(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && value[0] != '\0';
}

}  // namespace

ViewerCommand viewer_command(const std::string& dump_file) {
  ViewerCommand v;
  v.command = "gtkwave ";
  v.command += quoted(dump_file);
  const std::string save = gtkw_path_for(dump_file);
  if (std::filesystem::exists(save)) {
    v.command += ' ';
    v.command += quoted(save);
  }
  v.display = set("DISPLAY") || set("WAYLAND_DISPLAY");
  return v;
}

std::string locate_wave_filter() {
  namespace fs = std::filesystem;
  if (const char* env = std::getenv("NICSIM_WAVE_FILTER"); env != nullptr && env[0] != '\0')
    return env;
  std::error_code error;
  const fs::path self = fs::read_symlink("/proc/self/exe", error);
  if (error) return "";
  // Beside the executable (build/bin, or an install), then up the build tree to its bin/.
  for (fs::path dir = self.parent_path(); !dir.empty(); dir = dir.parent_path()) {
    for (const fs::path& candidate :
         {dir / "nicsim-wave-filter", dir / "bin" / "nicsim-wave-filter"}) {
      if (fs::is_regular_file(candidate, error)) return candidate.string();
    }
    if (dir == dir.root_path()) break;
  }
  return "";
}

}  // namespace nicsim::wave
