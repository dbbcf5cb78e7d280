#include "testbench/traffic/traffic_spec.h"

#include <gtest/gtest.h>

#include "ebpf/util/error.h"

namespace nicsim::traffic {
namespace {

// The message of the nicsim::Error that parsing `text` throws ("" if none).
std::string parse_error(std::string_view text) {
  try {
    parse_traffic_spec(text);
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

TEST(TrafficSpec, ParsesTheDocumentedExample) {
  const TrafficSpec spec =
      parse_traffic_spec("proto=udp,ip=4,flows=16,packets=1000,size=64,seed=1");
  EXPECT_EQ(spec.transport, TransportMix::Udp);
  EXPECT_EQ(spec.ip, IpVersionMix::V4);
  EXPECT_EQ(spec.flows, 16u);
  EXPECT_EQ(spec.packets, 1000u);
  EXPECT_EQ(spec.size, SizeDistribution::Fixed);
  EXPECT_EQ(spec.size_min, 64u);
  EXPECT_EQ(spec.size_max, 64u);
  EXPECT_EQ(spec.seed, 1u);
}

TEST(TrafficSpec, EmptyTextGivesDefaults) {
  EXPECT_EQ(parse_traffic_spec(""), TrafficSpec{});
}

TEST(TrafficSpec, SizeForms) {
  TrafficSpec range = parse_traffic_spec("size=64-1500");
  EXPECT_EQ(range.size, SizeDistribution::Uniform);
  EXPECT_EQ(range.size_min, 64u);
  EXPECT_EQ(range.size_max, 1500u);
  TrafficSpec imix = parse_traffic_spec("size=imix");
  EXPECT_EQ(imix.size, SizeDistribution::Imix);
}

TEST(TrafficSpec, SuffixesAndAllKeys) {
  const TrafficSpec spec = parse_traffic_spec(
      "ip=mix,proto=mix,size=100-200,flows=2k,packets=3M,seed=99,rate=10G,order=random,"
      "src=172.16.0.0/12,dst=10.1.2.0/24,src6=2001:db8::/32,dst6=2001:db8:1::/48,"
      "sport=1000-2000,dport=443,smac=aa:bb:cc:dd:ee:ff,dmac=02:00:00:00:00:09,ttl=3,"
      "ifindex=5,queues=8");
  EXPECT_EQ(spec.ip, IpVersionMix::Mix);
  EXPECT_EQ(spec.transport, TransportMix::Mix);
  EXPECT_EQ(spec.flows, 2000u);
  EXPECT_EQ(spec.packets, 3'000'000u);
  EXPECT_EQ(spec.rate_pps, 10'000'000'000u);
  EXPECT_EQ(spec.order, FlowOrder::Random);
  EXPECT_EQ(format_ip_prefix(spec.source4), "172.16.0.0/12");
  EXPECT_EQ(format_ip_prefix(spec.destination6), "2001:db8:1::/48");
  EXPECT_EQ(spec.source_ports, (PortRange{1000, 2000}));
  EXPECT_EQ(spec.destination_ports, (PortRange{443, 443}));
  EXPECT_EQ(spec.source_mac, (MacAddress{0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}));
  EXPECT_EQ(spec.ttl, 3);
  EXPECT_EQ(spec.ingress_ifindex, 5u);
  EXPECT_EQ(spec.rx_queues, 8u);
  EXPECT_EQ(parse_traffic_spec(format_traffic_spec(spec)), spec);
}

TEST(TrafficSpec, FormatRoundTripsDefaults) {
  EXPECT_EQ(parse_traffic_spec(format_traffic_spec(TrafficSpec{})), TrafficSpec{});
  const TrafficSpec imix = parse_traffic_spec("size=imix,ip=6");
  EXPECT_EQ(parse_traffic_spec(format_traffic_spec(imix)), imix);
}

TEST(TrafficSpec, ErrorsNameTheKeyAndValue) {
  struct Case {
    const char* text;
    std::vector<const char*> expected;  // fragments of the message
  };
  const Case cases[] = {
      {"flows=abc", {"'abc'", "'flows'"}},
      {"flows=0", {"'0'", "'flows'"}},
      {"packets=-5", {"'-5'", "'packets'"}},
      {"proto=icmp", {"'icmp'", "'proto'", "udp|tcp|mix"}},
      {"ip=5", {"'5'", "'ip'"}},
      {"size=big", {"'big'", "'size'"}},
      {"size=1500-64", {"'1500-64'", "'size'"}},
      {"size=10000", {"'10000'", "'size'"}},
      {"src=fd00::/64", {"'fd00::/64'", "'src'"}},
      {"dst=10.0.0.0/40", {"'10.0.0.0/40'", "'dst'"}},
      {"sport=70000", {"'70000'", "'sport'"}},
      {"dport=9-1", {"'9-1'", "'dport'"}},
      {"smac=zz", {"'zz'", "'smac'"}},
      {"ttl=256", {"'256'", "'ttl'"}},
      {"colour=red", {"unknown key 'colour'"}},
      {"flows", {"'flows' is not key=value"}},
      {"flows=1,,packets=2", {"empty item"}},
      {"seed=1,seed=2", {"'seed' given twice"}},
      {"ip=6,proto=tcp,size=64", {"size=64", "IPv6/TCP", "74"}},
      {"flows=3,src=10.0.0.1,dst=10.0.0.2,sport=1,dport=2", {"flows=3"}},
  };
  for (const Case& c : cases) {
    const std::string message = parse_error(c.text);
    ASSERT_FALSE(message.empty()) << c.text << " was accepted";
    for (const char* fragment : c.expected) {
      EXPECT_NE(message.find(fragment), std::string::npos)
          << c.text << ": '" << message << "' lacks " << fragment;
    }
  }
}

}  // namespace
}  // namespace nicsim::traffic
