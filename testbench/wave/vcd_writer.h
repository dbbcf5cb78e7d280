#pragma once
// A small VCD writer for waveforms built outside Verilator (the model's): signals are declared
// by their full hierarchical name ("nic.nic_top.u_core.ic"), the dotted prefix becoming nested
// scopes, so that a dump from the model has the same hierarchy as the RTL's.

#include <array>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

namespace nicsim::wave {

class VcdWriter {
 public:
  using Value = std::array<uint64_t, 2>;  // up to 128 bits, low word first

  // Throws nicsim::Error when the file cannot be written.
  VcdWriter(const std::string& path, const std::string& timescale);
  ~VcdWriter();
  VcdWriter(const VcdWriter&) = delete;
  VcdWriter& operator=(const VcdWriter&) = delete;

  // Before the first time stamp only; width 1..128.
  size_t declare(const std::string& full_name, uint32_t width);
  // Values kept meanwhile are written at the next time stamp (a signal set twice in between
  // appears once, with its last value).
  void set(size_t signal, uint64_t low, uint64_t high = 0);
  // Writes the header on first use, then "#time" and every signal changed since the last
  // stamp (the first stamp dumps every signal).
  void stamp(uint64_t time);
  void close();

 private:
  struct Signal {
    std::string name;  // full name
    uint32_t width;
    std::string id;
    Value value{};
    Value written{};
    bool dirty = true;
  };

  void write_header();
  void write_value(const Signal& s);

  std::ofstream out_;
  std::string path_;
  std::string timescale_;
  std::vector<Signal> signals_;
  std::vector<size_t> dirty_;
  bool header_written_ = false;
  bool first_stamp_ = true;
};

}  // namespace nicsim::wave
