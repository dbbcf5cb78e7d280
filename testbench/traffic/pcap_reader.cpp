#include "testbench/traffic/pcap_reader.h"

#include <fmt/format.h>
#include <pcap/pcap.h>

#include "ebpf/util/error.h"

namespace nicsim::traffic {

PcapReader::PcapReader(const std::string& path) : path_(path) {
  char error[PCAP_ERRBUF_SIZE] = {};
  handle_ =
      pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, error);
  if (handle_ == nullptr) throw Error(fmt::format("{}: cannot read as pcap: {}", path, error));
  const int link_type = pcap_datalink(handle_);
  if (link_type != DLT_EN10MB) {
    const char* name = pcap_datalink_val_to_name(link_type);
    pcap_close(handle_);
    handle_ = nullptr;
    throw Error(fmt::format("{}: link type {} ({}) is not Ethernet; nicsim needs Ethernet frames",
                            path, name != nullptr ? name : "unknown", link_type));
  }
}

PcapReader::~PcapReader() {
  if (handle_ != nullptr) pcap_close(handle_);
}

std::optional<Packet> PcapReader::next() {
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  const int status = pcap_next_ex(handle_, &header, &data);
  if (status == PCAP_ERROR_BREAK) return std::nullopt;  // end of file
  const uint64_t number = packets_read_ + 1;            // 1-based, as Wireshark counts
  if (status != 1) {
    // libpcap says "truncated dump file; tried to read N ... bytes, only got M" for a cut
    // file and names the bad length for a corrupt record header.
    const std::string reason = pcap_geterr(handle_);
    const bool cut_short = reason.find("truncated") != std::string::npos;
    throw Error(fmt::format("{}: packet {} is {}: {}", path_, number,
                            cut_short ? "truncated" : "corrupt", reason));
  }
  if (header->caplen > header->len) {
    throw Error(fmt::format("{}: packet {} is corrupt: captured length {} exceeds its length {}",
                            path_, number, header->caplen, header->len));
  }
  if (header->caplen < header->len) {
    throw Error(fmt::format(
        "{}: packet {} is truncated: {} of its {} bytes were captured (snap length); nicsim "
        "needs whole packets",
        path_, number, header->caplen, header->len));
  }
  ++packets_read_;
  Packet packet;
  packet.bytes.assign(data, data + header->caplen);
  // With nanosecond precision requested, libpcap puts nanoseconds in tv_usec.
  packet.timestamp_ns = static_cast<uint64_t>(header->ts.tv_sec) * 1'000'000'000u +
                        static_cast<uint64_t>(header->ts.tv_usec);
  return packet;
}

std::vector<Packet> read_pcap(const std::string& path) {
  PcapReader reader(path);
  std::vector<Packet> packets;
  while (std::optional<Packet> packet = reader.next())
    packets.push_back(std::move(*packet));
  return packets;
}

}  // namespace nicsim::traffic
