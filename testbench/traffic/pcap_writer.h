#pragma once
// Writes Ethernet packets to a pcap file through libpcap. The data goes to a temporary file
// beside the target and is renamed over it only by a successful close(), so that a run that
// fails half-way never leaves a partial file posing as a complete capture.

#include <cstdint>
#include <string>
#include <vector>

#include "testbench/traffic/packet.h"

struct pcap;         // libpcap's pcap_t
struct pcap_dumper;  // libpcap's pcap_dumper_t

namespace nicsim::traffic {

enum class PcapPrecision : uint8_t { Microseconds, Nanoseconds };

class PcapWriter {
 public:
  // Throws nicsim::Error naming `path` when its directory cannot take the temporary file.
  explicit PcapWriter(const std::string& path,
                      PcapPrecision precision = PcapPrecision::Nanoseconds);
  // Without a successful close(), removes the temporary file and leaves `path` untouched.
  ~PcapWriter();
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  void write(const Packet& packet);
  // Flushes, syncs and renames the temporary file to `path`; throws nicsim::Error on failure.
  void close();

  uint64_t packets_written() const { return packets_written_; }
  const std::string& path() const { return path_; }

 private:
  void discard();

  std::string path_;
  std::string temporary_path_;
  PcapPrecision precision_;
  ::pcap* dead_ = nullptr;
  ::pcap_dumper* dumper_ = nullptr;
  uint64_t packets_written_ = 0;
};

void write_pcap(const std::string& path, const std::vector<Packet>& packets,
                PcapPrecision precision = PcapPrecision::Nanoseconds);

}  // namespace nicsim::traffic
