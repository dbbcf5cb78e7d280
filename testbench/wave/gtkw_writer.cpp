#include "testbench/wave/gtkw_writer.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "ebpf/util/error.h"

namespace nicsim::wave {

namespace {

// GTKWave's trace flags (a save file stores them in hexadecimal after '@').
constexpr unsigned kHex = 0x2;
constexpr unsigned kDec = 0x4;
constexpr unsigned kBin = 0x8;
constexpr unsigned kRightJustify = 0x20;
constexpr unsigned kBlank = 0x200;
constexpr unsigned kProcessFilter = 0x4000;
constexpr unsigned kClosed = 0x400000;
constexpr unsigned kGroupBegin = 0x800000;
constexpr unsigned kGroupEnd = 0x1000000;

unsigned flags_of(SignalFormat format) {
  switch (format) {
    case SignalFormat::Binary:
      return kBin | kRightJustify;
    case SignalFormat::Decimal:
      return kDec | kRightJustify;
    case SignalFormat::Slot:
      return kHex | kRightJustify | kProcessFilter;
    case SignalFormat::Hex:
      break;
  }
  return kHex | kRightJustify;
}

}  // namespace

std::string format_gtkw(const GtkwLayout& layout) {
  std::string out;
  out += "[*] written by nicsim: the NIC core's signals grouped by unit\n";
  out += fmt::format("[dumpfile] \"{}\"\n", layout.dump_file);
  out += "[timestart] 0\n";
  out += "[sst_expanded] 1\n";
  bool filter_declared = false;
  for (const SignalGroup& group : layout.groups) {
    out += fmt::format("@{:x}\n-{}\n", kGroupBegin | kBlank | (group.closed ? kClosed : 0u),
                       group.name);
    unsigned current = 0;
    for (const WaveSignal& signal : group.signals) {
      const bool filtered = signal.format == SignalFormat::Slot && !layout.filter_path.empty();
      if (filtered && !filter_declared) {
        out += fmt::format("^>1 {}\n", layout.filter_path);
        filter_declared = true;
      }
      const unsigned flags =
          filtered
              ? flags_of(SignalFormat::Slot)
              : flags_of(signal.format == SignalFormat::Slot ? SignalFormat::Hex : signal.format);
      if (flags != current) {
        out += fmt::format("@{:x}\n", flags);
        current = flags;
      }
      out += signal.path + "\n";
    }
    out +=
        fmt::format("@{:x}\n-{}\n", kGroupEnd | kBlank | (group.closed ? kClosed : 0u), group.name);
  }
  return out;
}

void write_gtkw(const std::string& path, const GtkwLayout& layout) {
  std::ofstream file(path);
  if (!file) throw Error(fmt::format("cannot write the GTKWave save file '{}'", path));
  file << format_gtkw(layout);
  if (!file) throw Error(fmt::format("cannot write the GTKWave save file '{}'", path));
}

std::string gtkw_path_for(const std::string& dump_file) {
  std::filesystem::path p(dump_file);
  p.replace_extension(".gtkw");
  return p.string();
}

}  // namespace nicsim::wave
