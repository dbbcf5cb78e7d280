#include "testbench/wave/vcd_writer.h"

#include <fmt/format.h>

#include <algorithm>

#include "ebpf/util/error.h"

namespace nicsim::wave {

namespace {

std::vector<std::string> split_dots(const std::string& name) {
  std::vector<std::string> parts;
  size_t begin = 0;
  for (size_t dot = name.find('.'); dot != std::string::npos; dot = name.find('.', begin)) {
    parts.push_back(name.substr(begin, dot - begin));
    begin = dot + 1;
  }
  parts.push_back(name.substr(begin));
  return parts;
}

// VCD identifiers: printable characters '!'..'~', shortest first.
std::string identifier(size_t index) {
  std::string id;
  do {
    id.push_back(static_cast<char>('!' + index % 94));
    index /= 94;
  } while (index != 0);
  return id;
}

}  // namespace

VcdWriter::VcdWriter(const std::string& path, const std::string& timescale)
    : out_(path), path_(path), timescale_(timescale) {
  if (!out_) throw Error(fmt::format("cannot write the waveform '{}'", path));
}

VcdWriter::~VcdWriter() {
  close();
}

size_t VcdWriter::declare(const std::string& full_name, uint32_t width) {
  if (header_written_)
    throw Error(fmt::format("waveform '{}': signal '{}' declared after the first time stamp", path_,
                            full_name));
  if (width == 0 || width > 128)
    throw Error(fmt::format("waveform '{}': signal '{}' has width {} (1..128 supported)", path_,
                            full_name, width));
  signals_.push_back({full_name, width, identifier(signals_.size())});
  return signals_.size() - 1;
}

void VcdWriter::set(size_t signal, uint64_t low, uint64_t high) {
  Signal& s = signals_.at(signal);
  if (s.width < 64) low &= (uint64_t{1} << s.width) - 1;
  if (s.width <= 64) high = 0;
  if (s.width > 64 && s.width < 128) high &= (uint64_t{1} << (s.width - 64)) - 1;
  s.value = {low, high};
  if (!s.dirty && s.value != s.written) {
    s.dirty = true;
    dirty_.push_back(signal);
  }
}

void VcdWriter::write_header() {
  out_ << "$timescale " << timescale_ << " $end\n";
  // Signals sorted by scope so that each scope is opened once.
  std::vector<size_t> order(signals_.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::vector<std::vector<std::string>> paths;
  for (const Signal& s : signals_)
    paths.push_back(split_dots(s.name));
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::vector<std::string>(paths[a].begin(), paths[a].end() - 1) <
           std::vector<std::string>(paths[b].begin(), paths[b].end() - 1);
  });
  std::vector<std::string> open;
  for (size_t i : order) {
    const auto& parts = paths[i];
    const size_t depth = parts.size() - 1;
    size_t common = 0;
    while (common < open.size() && common < depth && open[common] == parts[common])
      ++common;
    while (open.size() > common) {
      out_ << "$upscope $end\n";
      open.pop_back();
    }
    while (open.size() < depth) {
      out_ << "$scope module " << parts[open.size()] << " $end\n";
      open.push_back(parts[open.size()]);
    }
    const Signal& s = signals_[i];
    out_ << "$var wire " << s.width << ' ' << s.id << ' ' << parts.back();
    if (s.width > 1) out_ << " [" << s.width - 1 << ":0]";
    out_ << " $end\n";
  }
  while (!open.empty()) {
    out_ << "$upscope $end\n";
    open.pop_back();
  }
  out_ << "$enddefinitions $end\n";
  header_written_ = true;
}

void VcdWriter::write_value(const Signal& s) {
  if (s.width == 1) {
    out_ << (s.value[0] & 1) << s.id << '\n';
    return;
  }
  std::string bits(s.width, '0');
  for (uint32_t i = 0; i < s.width; ++i) {
    const uint64_t word = s.value[i / 64];
    if ((word >> (i % 64)) & 1) bits[s.width - 1 - i] = '1';
  }
  const size_t first_one = bits.find('1');
  out_ << 'b' << (first_one == std::string::npos ? "0" : bits.substr(first_one)) << ' ' << s.id
       << '\n';
}

void VcdWriter::stamp(uint64_t time) {
  if (!header_written_) write_header();
  if (first_stamp_) {
    out_ << '#' << time << "\n$dumpvars\n";
    for (Signal& s : signals_) {
      write_value(s);
      s.written = s.value;
      s.dirty = false;
    }
    out_ << "$end\n";
    dirty_.clear();
    first_stamp_ = false;
    return;
  }
  if (dirty_.empty()) return;
  out_ << '#' << time << '\n';
  for (size_t i : dirty_) {
    Signal& s = signals_[i];
    if (s.value != s.written) write_value(s);
    s.written = s.value;
    s.dirty = false;
  }
  dirty_.clear();
}

void VcdWriter::close() {
  if (!out_.is_open()) return;
  if (!header_written_) write_header();
  out_.close();
}

}  // namespace nicsim::wave
