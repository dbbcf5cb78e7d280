// xdp1 and xdp2, the kernel samples that linux-source 6.12 no longer ships, run from the
// prebuilt objects of the ebpf-samples corpus (samples/bpf/xdp1_kern.c, xdp2_kern.c): both
// count packets per IP protocol in the per-CPU array `rxcnt`; xdp1 drops everything, xdp2
// swaps the MACs of UDP packets and transmits them, dropping the rest.
#include <gtest/gtest.h>

#include <cstring>

#include "bench/programs/test/frames.h"
#include "bench/programs/test/program_runner.h"

namespace nicsim::bench::test {
namespace {

using ebpf::XdpAction;

std::string corpus_object(const std::string& name) {
  return std::string(NICSIM_TESTDATA_DIR) + "/ebpf-samples/linux/" + name + ".o";
}

uint64_t count_for_protocol(ProgramRunner& sample, uint32_t protocol) {
  const std::vector<uint8_t> value = lookup(sample.map("rxcnt"), bytes_of(protocol));
  EXPECT_GE(value.size(), 8u);
  uint64_t count = 0;
  if (value.size() >= 8) std::memcpy(&count, value.data(), 8);  // CPU 0's copy
  return count;
}

TEST(CorpusSample, Xdp1CountsPerProtocolAndDrops) {
  ProgramRunner xdp1 = ProgramRunner::from_object(corpus_object("xdp1_kern"), "");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(xdp1.run(ipv4_frame("10.0.0.1", "10.0.0.2", 1, 2, traffic::kIpProtocolUdp)).action,
              XdpAction::Drop);
  }
  EXPECT_EQ(xdp1.run(ipv4_frame("10.0.0.1", "10.0.0.2", 1, 2, traffic::kIpProtocolTcp)).action,
            XdpAction::Drop);
  EXPECT_EQ(xdp1.run(ipv6_frame()).action, XdpAction::Drop);  // UDP over IPv6
  EXPECT_EQ(xdp1.run(arp_frame()).action, XdpAction::Drop);    // protocol 0
  EXPECT_EQ(count_for_protocol(xdp1, 17), 4u);
  EXPECT_EQ(count_for_protocol(xdp1, 6), 1u);
  EXPECT_EQ(count_for_protocol(xdp1, 0), 1u);
}

TEST(CorpusSample, Xdp2TransmitsUdpWithSwappedMacs) {
  ProgramRunner xdp2 = ProgramRunner::from_object(corpus_object("xdp2_kern"), "");
  const auto udp = ipv4_frame("10.0.0.1", "10.0.0.2", 1, 2, traffic::kIpProtocolUdp);
  const XdpOutcome out = xdp2.run(udp);
  ASSERT_EQ(out.action, XdpAction::Tx) << out.diagnostic;
  ASSERT_EQ(out.packet.size(), udp.size());
  EXPECT_EQ(slice(out.packet, 0, 6), slice(udp, 6, 12));
  EXPECT_EQ(slice(out.packet, 6, 12), slice(udp, 0, 6));
  EXPECT_EQ(slice(out.packet, 12, udp.size()), slice(udp, 12, udp.size()));
  EXPECT_EQ(xdp2.run(ipv4_frame("10.0.0.1", "10.0.0.2", 1, 2, traffic::kIpProtocolTcp)).action,
            XdpAction::Drop);
  EXPECT_EQ(count_for_protocol(xdp2, 17), 1u);
  EXPECT_EQ(count_for_protocol(xdp2, 6), 1u);
}

}  // namespace
}  // namespace nicsim::bench::test
