#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "ebpf/util/error.h"
#include "testbench/traffic/generator.h"
#include "testbench/traffic/pcap_reader.h"
#include "testbench/traffic/pcap_writer.h"

namespace nicsim::traffic {
namespace {

namespace fs = std::filesystem;

class PcapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() /
                 ("nicsim_pcap_test_" + std::to_string(getpid()) + "_" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(directory_);
    fs::create_directories(directory_);
  }
  void TearDown() override { fs::remove_all(directory_); }

  std::string path(const std::string& name) const { return (directory_ / name).string(); }

  fs::path directory_;
};

// A pcap file written byte by byte, independently of libpcap (little-endian, as the
// format's magic number tells readers).
class RawPcap {
 public:
  RawPcap(uint32_t magic, uint32_t link_type) {
    put32(magic);
    put16(2);
    put16(4);
    put32(0);  // thiszone
    put32(0);  // sigfigs
    put32(65535);
    put32(link_type);
  }
  RawPcap& record(uint32_t seconds, uint32_t fraction, uint32_t captured, uint32_t length) {
    put32(seconds);
    put32(fraction);
    put32(captured);
    put32(length);
    for (uint32_t i = 0; i < captured; ++i)
      bytes_.push_back(static_cast<uint8_t>(i));
    return *this;
  }
  void save(const std::string& path) const {
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes_.data()), bytes_.size());
  }

 private:
  void put16(uint16_t value) {
    bytes_.push_back(static_cast<uint8_t>(value));
    bytes_.push_back(static_cast<uint8_t>(value >> 8));
  }
  void put32(uint32_t value) {
    put16(static_cast<uint16_t>(value));
    put16(static_cast<uint16_t>(value >> 16));
  }
  std::vector<uint8_t> bytes_;
};

constexpr uint32_t kMicrosecondMagic = 0xa1b2c3d4;
constexpr uint32_t kNanosecondMagic = 0xa1b23c4d;
constexpr uint32_t kEthernet = 1;

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

std::vector<uint8_t> file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST_F(PcapTest, RoundTripKeepsBytesAndNanosecondTimestamps) {
  std::vector<Packet> packets = generate_traffic(
      parse_traffic_spec("ip=mix,proto=mix,size=74-1514,flows=10,packets=50,rate=3"));
  packets[7].timestamp_ns = 1'700'000'000'123'456'789ULL;
  write_pcap(path("out.pcap"), packets);

  const std::vector<Packet> read = read_pcap(path("out.pcap"));
  ASSERT_EQ(read.size(), packets.size());
  for (size_t i = 0; i < packets.size(); ++i) {
    EXPECT_EQ(read[i].bytes, packets[i].bytes) << i;
    EXPECT_EQ(read[i].timestamp_ns, packets[i].timestamp_ns) << i;
  }
  // The file itself: nanosecond magic, Ethernet link type.
  const std::vector<uint8_t> bytes = file_bytes(path("out.pcap"));
  ASSERT_GE(bytes.size(), 24u);
  EXPECT_EQ(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 4),
            (std::vector<uint8_t>{0x4d, 0x3c, 0xb2, 0xa1}));
  EXPECT_EQ(bytes[20], 1);
}

TEST_F(PcapTest, MicrosecondFilesTruncateTimestamps) {
  std::vector<Packet> packets = generate_traffic(parse_traffic_spec("packets=3"));
  packets[1].timestamp_ns = 5'000'001'999;
  write_pcap(path("us.pcap"), packets, PcapPrecision::Microseconds);
  const std::vector<Packet> read = read_pcap(path("us.pcap"));
  ASSERT_EQ(read.size(), 3u);
  EXPECT_EQ(read[1].timestamp_ns, 5'000'001'000u);
  EXPECT_EQ(file_bytes(path("us.pcap"))[0], 0xd4);
}

TEST_F(PcapTest, ReadsHandWrittenFilesOfBothPrecisions) {
  RawPcap(kMicrosecondMagic, kEthernet)
      .record(2, 500, 60, 60)
      .record(3, 999'999, 14, 14)
      .save(path("us.pcap"));
  auto micro = read_pcap(path("us.pcap"));
  ASSERT_EQ(micro.size(), 2u);
  EXPECT_EQ(micro[0].timestamp_ns, 2'000'500'000u);
  EXPECT_EQ(micro[1].timestamp_ns, 3'999'999'000u);
  EXPECT_EQ(micro[0].bytes.size(), 60u);
  EXPECT_EQ(micro[0].bytes[59], 59);
  EXPECT_EQ(micro[0].ingress_ifindex, 1u);
  EXPECT_EQ(micro[0].rx_queue_index, 0u);

  RawPcap(kNanosecondMagic, kEthernet).record(2, 123'456'789, 60, 60).save(path("ns.pcap"));
  auto nano = read_pcap(path("ns.pcap"));
  ASSERT_EQ(nano.size(), 1u);
  EXPECT_EQ(nano[0].timestamp_ns, 2'123'456'789u);
}

TEST_F(PcapTest, EmptyCaptureHasNoPackets) {
  write_pcap(path("empty.pcap"), {});
  EXPECT_TRUE(read_pcap(path("empty.pcap")).empty());
}

TEST_F(PcapTest, TruncatedFileNamesThePacket) {
  // Three 60-byte packets: global header 24 bytes, then records of 16 + 60 bytes.
  RawPcap(kMicrosecondMagic, kEthernet)
      .record(1, 0, 60, 60)
      .record(2, 0, 60, 60)
      .record(3, 0, 60, 60)
      .save(path("full.pcap"));
  const std::vector<uint8_t> full = file_bytes(path("full.pcap"));
  ASSERT_EQ(full.size(), 24u + 3 * 76);
  for (size_t cut = 0; cut < full.size(); ++cut) {
    const std::string name = path("cut.pcap");
    std::ofstream(name, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(full.data()), static_cast<std::streamsize>(cut));
    std::vector<Packet> read;
    const std::string message = error_of([&] { read = read_pcap(name); });
    if (cut < 24) {
      EXPECT_NE(message.find(name), std::string::npos) << "cut " << cut << ": " << message;
      continue;
    }
    const size_t complete = (cut - 24) / 76;
    if ((cut - 24) % 76 == 0) {
      // Cut between records: a shorter but valid capture.
      EXPECT_EQ(message, "") << "cut " << cut;
      EXPECT_EQ(read.size(), complete) << "cut " << cut;
      continue;
    }
    const std::string expected =
        name + ": packet " + std::to_string(complete + 1) + " is truncated";
    EXPECT_EQ(message.rfind(expected, 0), 0u) << "cut " << cut << ": " << message;
  }
}

TEST_F(PcapTest, CorruptRecordLengthIsAnError) {
  RawPcap(kMicrosecondMagic, kEthernet)
      .record(1, 0, 60, 60)
      .record(2, 0, 0, 0x7fffffff)  // wire length absurd but captured length honest
      .save(path("snapped.pcap"));
  std::string message = error_of([&] { read_pcap(path("snapped.pcap")); });
  EXPECT_NE(message.find("packet 2"), std::string::npos) << message;

  // A captured length beyond any snap length: libpcap refuses the record.
  RawPcap raw(kMicrosecondMagic, kEthernet);
  raw.record(1, 0, 60, 60);
  raw.save(path("corrupt.pcap"));
  {
    std::ofstream out(path("corrupt.pcap"), std::ios::binary | std::ios::app);
    const uint8_t header[16] = {1, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f, 0x3c, 0, 0, 0};
    out.write(reinterpret_cast<const char*>(header), sizeof header);
  }
  message = error_of([&] { read_pcap(path("corrupt.pcap")); });
  EXPECT_NE(message.find(path("corrupt.pcap") + ": packet 2"), std::string::npos) << message;
}

TEST_F(PcapTest, SnappedPacketIsRefused) {
  RawPcap(kMicrosecondMagic, kEthernet)
      .record(1, 0, 60, 60)
      .record(1, 5, 40, 1500)
      .save(path("snap.pcap"));
  const std::string message = error_of([&] { read_pcap(path("snap.pcap")); });
  EXPECT_NE(message.find("packet 2 is truncated"), std::string::npos) << message;
  EXPECT_NE(message.find("40 of its 1500"), std::string::npos) << message;
}

TEST_F(PcapTest, NonEthernetLinkTypeIsRefused) {
  RawPcap(kMicrosecondMagic, 113).record(1, 0, 60, 60).save(path("sll.pcap"));  // LINUX_SLL
  const std::string message = error_of([&] { PcapReader reader(path("sll.pcap")); });
  EXPECT_NE(message.find(path("sll.pcap")), std::string::npos) << message;
  EXPECT_NE(message.find("not Ethernet"), std::string::npos) << message;
  EXPECT_NE(message.find("113"), std::string::npos) << message;

  RawPcap(kMicrosecondMagic, 101).save(path("raw.pcap"));  // raw IP
  EXPECT_NE(error_of([&] { read_pcap(path("raw.pcap")); }).find("not Ethernet"), std::string::npos);
}

TEST_F(PcapTest, NotAPcapFile) {
  std::ofstream(path("text.pcap")) << "this is not a capture, just some text\n";
  EXPECT_NE(error_of([&] { read_pcap(path("text.pcap")); }).find(path("text.pcap")),
            std::string::npos);
  EXPECT_NE(error_of([&] { read_pcap(path("missing.pcap")); }).find(path("missing.pcap")),
            std::string::npos);
}

TEST_F(PcapTest, UnwritableOutputNamesThePath) {
  const std::string target = path("no/such/dir/out.pcap");
  const std::string message = error_of([&] { PcapWriter writer(target); });
  EXPECT_NE(message.find(target), std::string::npos) << message;
}

TEST_F(PcapTest, FailedRunLeavesNoOutput) {
  const std::string target = path("out.pcap");
  {
    PcapWriter writer(target);
    for (const Packet& packet : generate_traffic(parse_traffic_spec("packets=20")))
      writer.write(packet);
    // destroyed without close(): the run failed
  }
  EXPECT_FALSE(fs::exists(target));
  EXPECT_TRUE(fs::is_empty(directory_)) << "temporary file left behind";
}

TEST_F(PcapTest, CloseReplacesAnOldFileOnlyAtTheEnd) {
  const std::string target = path("out.pcap");
  std::ofstream(target) << "old contents";
  PcapWriter writer(target);
  const auto packets = generate_traffic(parse_traffic_spec("packets=5"));
  for (const Packet& packet : packets)
    writer.write(packet);
  // Until close(), the old file is what readers see.
  EXPECT_EQ(file_bytes(target).size(), std::string("old contents").size());
  writer.close();
  EXPECT_EQ(writer.packets_written(), 5u);
  EXPECT_EQ(read_pcap(target), packets);
  size_t files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(directory_))
    ++files;
  EXPECT_EQ(files, 1u);
  EXPECT_THROW(writer.write(packets[0]), Error);
}

TEST_F(PcapTest, ReaderCountsPackets) {
  write_pcap(path("five.pcap"), generate_traffic(parse_traffic_spec("packets=5")));
  PcapReader reader(path("five.pcap"));
  int count = 0;
  while (reader.next())
    ++count;
  EXPECT_EQ(count, 5);
  EXPECT_EQ(reader.packets_read(), 5u);
  EXPECT_FALSE(reader.next());
}

}  // namespace
}  // namespace nicsim::traffic
