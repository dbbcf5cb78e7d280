// Wireshark as an outside judge of the generated frames: it dissects every header and
// recomputes the IPv4, UDP and TCP checksums itself.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>

#include "testbench/traffic/generator.h"
#include "testbench/traffic/pcap_writer.h"

namespace nicsim::traffic {
namespace {

namespace fs = std::filesystem;

std::string run(const std::string& command) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return "popen failed";
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe))
    output.append(buffer, n);
  pclose(pipe);
  return output;
}

class TsharkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tshark_ = NICSIM_TSHARK;
    if (tshark_.empty() || !fs::exists(tshark_)) {
      GTEST_SKIP() << "tshark is not installed (found at configure time: '" << tshark_ << "')";
    }
    capture_ = (fs::temp_directory_path() /
                ("nicsim_tshark_" + std::to_string(getpid()) + "_" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".pcap"))
                   .string();
  }
  void TearDown() override { fs::remove(capture_); }

  // Frame numbers that tshark finds with a bad IPv4, UDP or TCP checksum.
  std::string bad_checksums() const {
    return run(tshark_ + " -r '" + capture_ +
               "' -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -o tcp.check_checksum:TRUE"
               " -Y 'ip.checksum.status == \"Bad\" || udp.checksum.status == \"Bad\" ||"
               " tcp.checksum.status == \"Bad\"' -T fields -e frame.number");
  }
  // Frames whose IPv4/IPv6 and UDP/TCP checksums tshark verified as good.
  int good_frames() const {
    const std::string output =
        run(tshark_ + " -r '" + capture_ +
            "' -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -o tcp.check_checksum:TRUE"
            " -Y '(ip.checksum.status == \"Good\" || ipv6) && (udp.checksum.status == \"Good\" ||"
            " tcp.checksum.status == \"Good\")' -T fields -e frame.number");
    return static_cast<int>(std::count(output.begin(), output.end(), '\n'));
  }

  std::string tshark_;
  std::string capture_;
};

TEST_F(TsharkTest, GeneratedChecksumsAreGood) {
  const auto packets =
      generate_traffic(parse_traffic_spec("ip=mix,proto=mix,size=imix,flows=64,packets=400"));
  write_pcap(capture_, packets);
  EXPECT_EQ(bad_checksums(), "");
  // The filter above proves nothing unless tshark checked every frame.
  EXPECT_EQ(good_frames(), 400);
}

TEST_F(TsharkTest, CorruptedChecksumIsNoticed) {
  auto packets = generate_traffic(parse_traffic_spec("proto=udp,packets=3,size=100"));
  packets[1].bytes[40] ^= 0x01;  // UDP checksum, high byte
  write_pcap(capture_, packets);
  EXPECT_EQ(bad_checksums(), "2\n");
}

}  // namespace
}  // namespace nicsim::traffic
