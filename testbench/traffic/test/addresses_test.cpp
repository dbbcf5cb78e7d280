#include "testbench/traffic/addresses.h"

#include <gtest/gtest.h>

#include "ebpf/util/error.h"

namespace nicsim::traffic {
namespace {

TEST(Addresses, ParsesAndFormatsMac) {
  const MacAddress mac = parse_mac("02:aB:00:ff:10:01");
  EXPECT_EQ(mac, (MacAddress{0x02, 0xab, 0x00, 0xff, 0x10, 0x01}));
  EXPECT_EQ(format_mac(mac), "02:ab:00:ff:10:01");
  EXPECT_THROW(parse_mac("02:ab:00:ff:10"), Error);
  EXPECT_THROW(parse_mac("02-ab-00-ff-10-01"), Error);
  EXPECT_THROW(parse_mac("02:ab:00:ff:10:0g"), Error);
}

TEST(Addresses, ParsesPrefixes) {
  IpPrefix v4 = parse_ip_prefix("10.1.0.0/16");
  EXPECT_EQ(v4.version, IpVersion::V4);
  EXPECT_EQ(v4.length, 16);
  EXPECT_EQ(v4.host_bits(), 16u);
  EXPECT_EQ(format_ip_prefix(v4), "10.1.0.0/16");

  IpPrefix host = parse_ip_prefix("192.168.1.7");
  EXPECT_EQ(host.length, 32);
  EXPECT_EQ(host.host_bits(), 0u);

  IpPrefix v6 = parse_ip_prefix("fd00:a::/64");
  EXPECT_EQ(v6.version, IpVersion::V6);
  EXPECT_EQ(v6.host_bits(), 64u);
  EXPECT_EQ(format_ip_prefix(v6), "fd00:a::/64");
}

TEST(Addresses, RejectsBadPrefixes) {
  EXPECT_THROW(parse_ip_prefix("10.0.0.0/33"), Error);
  EXPECT_THROW(parse_ip_prefix("10.0.0.0/"), Error);
  EXPECT_THROW(parse_ip_prefix("10.0.0/8"), Error);
  EXPECT_THROW(parse_ip_prefix("10.0.0.1/8"), Error);  // host bits set
  EXPECT_THROW(parse_ip_prefix("fd00::/129"), Error);
  try {
    parse_ip_prefix("10.0.0.1/8");
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("10.0.0.1/8"), std::string::npos) << error.what();
  }
}

TEST(Addresses, AddressInPrefixCarries) {
  IpPrefix v4 = parse_ip_prefix("10.0.0.0/8");
  EXPECT_EQ(format_ip(IpVersion::V4, address_in_prefix(v4, 0x010203)), "10.1.2.3");
  EXPECT_EQ(format_ip(IpVersion::V4, address_in_prefix(v4, 0x0000ff + 1)), "10.0.1.0");
  IpPrefix v6 = parse_ip_prefix("fd00:a::/64");
  EXPECT_EQ(format_ip(IpVersion::V6, address_in_prefix(v6, 0x10000)), "fd00:a::1:0");
}

}  // namespace
}  // namespace nicsim::traffic
