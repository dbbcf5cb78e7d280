#pragma once
// What IP-in-IP encapsulation (RFC 2003) must have made of a frame: shared by the tunnel and
// load balancer tests.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bench/programs/test/frames.h"
#include "bench/programs/test/program_runner.h"

namespace nicsim::bench::test {

using traffic::testing::be16;

// The frame must be `in`'s IP packet inside a new outer IPv4 header towards `remote`.
inline void expect_encapsulated(const std::vector<uint8_t>& in, const XdpOutcome& out,
                                const std::string& local, const std::string& remote,
                                const std::string& smac, const std::string& dmac) {
  ASSERT_EQ(out.action, ebpf::XdpAction::Tx) << out.diagnostic;
  ASSERT_EQ(out.packet.size(), in.size() + 20);
  const std::vector<uint8_t>& o = out.packet;
  EXPECT_EQ(slice(o, 0, 6), mac_bytes(dmac));
  EXPECT_EQ(slice(o, 6, 12), mac_bytes(smac));
  EXPECT_EQ(be16(o, 12), 0x0800u);
  EXPECT_EQ(o[14], 0x45);                         // IPv4, 20-byte header
  EXPECT_EQ(o[15], in[15]);                       // TOS copied
  EXPECT_EQ(be16(o, 16), be16(in, 16) + 20);      // total length
  EXPECT_EQ(be16(o, 18), 0u);                     // ID
  EXPECT_EQ(be16(o, 20), be16(in, 20) & 0x4000);  // DF copied, no fragment
  EXPECT_EQ(o[22], 64);                           // TTL
  EXPECT_EQ(o[23], 4);                            // IP-in-IP
  EXPECT_EQ(slice(o, 26, 30), ipv4_bytes(local));
  EXPECT_EQ(slice(o, 30, 34), ipv4_bytes(remote));
  EXPECT_TRUE(ipv4_checksum_ok(o, 14));
  EXPECT_EQ(slice(o, 34, o.size()), slice(in, 14, in.size())) << "inner packet intact";
}

}  // namespace nicsim::bench::test
