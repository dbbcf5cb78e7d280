#include <gtest/gtest.h>

#include "bench/programs/test/frames.h"
#include "bench/programs/test/program_runner.h"
#include "testbench/traffic/generator.h"

namespace nicsim::bench::test {
namespace {

using ebpf::XdpAction;

TEST(XdpDrop, DropsEverything) {
  ProgramRunner drop("xdp_drop");
  for (const traffic::Packet& packet : traffic::generate_traffic(
           traffic::parse_traffic_spec("ip=mix,proto=mix,size=imix,flows=64,packets=300"))) {
    const XdpOutcome outcome = drop.run(packet);
    EXPECT_EQ(outcome.action, XdpAction::Drop) << outcome.diagnostic;
  }
  EXPECT_EQ(drop.run(arp_frame()).action, XdpAction::Drop);
  EXPECT_EQ(drop.run(std::vector<uint8_t>(5, 0)).action, XdpAction::Drop);
  EXPECT_EQ(drop.run(std::vector<uint8_t>{}).action, XdpAction::Drop);
}

}  // namespace
}  // namespace nicsim::bench::test
