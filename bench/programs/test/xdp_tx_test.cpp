#include <gtest/gtest.h>

#include "bench/programs/test/frames.h"
#include "bench/programs/test/program_runner.h"
#include "testbench/traffic/generator.h"

namespace nicsim::bench::test {
namespace {

using ebpf::XdpAction;

void expect_reflected(const std::vector<uint8_t>& in, const XdpOutcome& outcome) {
  ASSERT_EQ(outcome.action, XdpAction::Tx) << outcome.diagnostic;
  ASSERT_EQ(outcome.packet.size(), in.size());
  EXPECT_EQ(slice(outcome.packet, 0, 6), slice(in, 6, 12));
  EXPECT_EQ(slice(outcome.packet, 6, 12), slice(in, 0, 6));
  EXPECT_EQ(slice(outcome.packet, 12, in.size()), slice(in, 12, in.size()));
}

TEST(XdpTx, SwapsMacsAndChangesNothingElse) {
  ProgramRunner tx("xdp_tx");
  for (const traffic::Packet& packet : traffic::generate_traffic(traffic::parse_traffic_spec(
           "ip=mix,proto=mix,size=imix,flows=64,packets=300,smac=0a:0b:0c:0d:0e:0f"))) {
    expect_reflected(packet.bytes, tx.run(packet));
  }
  expect_reflected(arp_frame(), tx.run(arp_frame()));
  const std::vector<uint8_t> header_only = slice(ipv4_frame("10.0.0.1", "10.0.0.2"), 0, 14);
  expect_reflected(header_only, tx.run(header_only));
}

TEST(XdpTx, DropsRunts) {
  ProgramRunner tx("xdp_tx");
  EXPECT_EQ(tx.run(std::vector<uint8_t>(13, 0x55)).action, XdpAction::Drop);
}

}  // namespace
}  // namespace nicsim::bench::test
