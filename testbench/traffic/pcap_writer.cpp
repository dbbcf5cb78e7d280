#include "testbench/traffic/pcap_writer.h"

#include <fmt/format.h>
#include <pcap/pcap.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "ebpf/util/error.h"

namespace nicsim::traffic {

namespace {

// Large enough for any jumbo frame; the capture never cuts a packet.
constexpr int kSnapLength = 262144;

}  // namespace

PcapWriter::PcapWriter(const std::string& path, PcapPrecision precision)
    : path_(path), temporary_path_(path + ".tmp.XXXXXX"), precision_(precision) {
  const int fd = mkstemp(temporary_path_.data());
  if (fd < 0) {
    throw Error(fmt::format("{}: cannot create the output file: {}", path_, std::strerror(errno)));
  }
  // mkstemp creates the file private (0600); a capture is ordinary output.
  fchmod(fd, 0644);
  FILE* file = fdopen(fd, "wb");
  if (file == nullptr) {
    const int saved = errno;
    ::close(fd);
    std::remove(temporary_path_.c_str());
    throw Error(fmt::format("{}: cannot open the output file: {}", path_, std::strerror(saved)));
  }
  dead_ = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, kSnapLength,
                                               precision_ == PcapPrecision::Nanoseconds
                                                   ? PCAP_TSTAMP_PRECISION_NANO
                                                   : PCAP_TSTAMP_PRECISION_MICRO);
  dumper_ = dead_ != nullptr ? pcap_dump_fopen(dead_, file) : nullptr;
  if (dumper_ == nullptr) {
    const std::string reason = dead_ != nullptr ? pcap_geterr(dead_) : "out of memory";
    fclose(file);
    discard();
    throw Error(fmt::format("{}: cannot start the pcap file: {}", path_, reason));
  }
}

PcapWriter::~PcapWriter() {
  discard();
}

void PcapWriter::discard() {
  if (dumper_ != nullptr) pcap_dump_close(dumper_);
  if (dead_ != nullptr) pcap_close(dead_);
  dumper_ = nullptr;
  dead_ = nullptr;
  if (!temporary_path_.empty()) std::remove(temporary_path_.c_str());
  temporary_path_.clear();
}

void PcapWriter::write(const Packet& packet) {
  if (dumper_ == nullptr) throw Error(fmt::format("{}: write after close", path_));
  if (packet.bytes.size() > kSnapLength) {
    throw Error(fmt::format("{}: packet {} has {} bytes, more than a pcap record holds ({})", path_,
                            packets_written_ + 1, packet.bytes.size(), kSnapLength));
  }
  pcap_pkthdr header{};
  const uint64_t subsecond_unit = precision_ == PcapPrecision::Nanoseconds ? 1 : 1000;
  header.ts.tv_sec = static_cast<time_t>(packet.timestamp_ns / 1'000'000'000u);
  header.ts.tv_usec =
      static_cast<suseconds_t>(packet.timestamp_ns % 1'000'000'000u / subsecond_unit);
  header.caplen = static_cast<bpf_u_int32>(packet.bytes.size());
  header.len = header.caplen;
  pcap_dump(reinterpret_cast<u_char*>(dumper_), &header, packet.bytes.data());
  ++packets_written_;
}

void PcapWriter::close() {
  if (dumper_ == nullptr) throw Error(fmt::format("{}: closed twice", path_));
  FILE* file = pcap_dump_file(dumper_);
  // pcap_dump() reports no errors; a full disk shows up in the stream's error flag.
  const bool written = pcap_dump_flush(dumper_) == 0 && !ferror(file) && fsync(fileno(file)) == 0;
  const int saved = errno;
  pcap_dump_close(dumper_);
  dumper_ = nullptr;
  if (!written) {
    discard();
    throw Error(fmt::format("{}: writing failed: {}", path_, std::strerror(saved)));
  }
  if (std::rename(temporary_path_.c_str(), path_.c_str()) != 0) {
    const int rename_error = errno;
    discard();
    throw Error(fmt::format("{}: cannot move the finished file into place: {}", path_,
                            std::strerror(rename_error)));
  }
  temporary_path_.clear();
  discard();
}

void write_pcap(const std::string& path, const std::vector<Packet>& packets,
                PcapPrecision precision) {
  PcapWriter writer(path, precision);
  for (const Packet& packet : packets)
    writer.write(packet);
  writer.close();
}

}  // namespace nicsim::traffic
