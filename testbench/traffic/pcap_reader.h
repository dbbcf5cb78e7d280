#pragma once
// Reads Ethernet packets from a pcap or pcapng file through libpcap, with nanosecond
// timestamps whatever the file's precision. A truncated or corrupt file, a packet captured
// shorter than it was on the wire, or a link type other than Ethernet is a nicsim::Error
// naming the file and the packet ("in.pcap: packet 17 is truncated: ...").

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "testbench/traffic/packet.h"

struct pcap;  // libpcap's pcap_t

namespace nicsim::traffic {

class PcapReader {
 public:
  explicit PcapReader(const std::string& path);
  ~PcapReader();
  PcapReader(const PcapReader&) = delete;
  PcapReader& operator=(const PcapReader&) = delete;

  // The next packet (ingress_ifindex 1, queue 0), or nullopt at the end of the file.
  std::optional<Packet> next();
  uint64_t packets_read() const { return packets_read_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  ::pcap* handle_ = nullptr;
  uint64_t packets_read_ = 0;
};

std::vector<Packet> read_pcap(const std::string& path);

}  // namespace nicsim::traffic
