#include "ebpf/runtime/fib.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <fstream>

#include "ebpf/runtime/test/runtime_test_support.h"
#include "ebpf/util/error.h"

namespace nicsim::ebpf::test {
namespace {

std::string write_file(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

std::array<uint8_t, 16> address(const char* text) {
  std::array<uint8_t, 16> bytes{};
  if (inet_pton(AF_INET, text, bytes.data()) != 1) inet_pton(AF_INET6, text, bytes.data());
  return bytes;
}

const char* kRoutes = R"({"routes": [
  {"prefix": "0.0.0.0/0", "ifindex": 1, "gateway": "192.168.0.1",
   "smac": "02:00:00:00:00:01", "dmac": "02:00:00:00:00:fe"},
  {"prefix": "10.1.0.0/16", "ifindex": 2, "smac": "02:00:00:00:00:02",
   "dmac": "02:00:00:00:01:02", "mtu": 1400},
  {"prefix": "10.1.2.0/24", "ifindex": 3, "smac": "02:00:00:00:00:03"},
  {"prefix": "10.1.2.3/32", "ifindex": 4, "smac": "02:00:00:00:00:04", "dmac": "0A:0B:0C:0D:0E:0F"},
  {"prefix": "2001:db8::/32", "ifindex": 6, "gateway": "2001:db8::1",
   "smac": "02:00:00:00:00:06", "dmac": "02:00:00:00:06:06"}
]})";

TEST(Fib, LoadsJsonAndMatchesTheLongestPrefix) {
  Fib fib;
  fib.load_json_file(write_file("routes.json", kRoutes));
  ASSERT_EQ(fib.routes().size(), 5u);
  EXPECT_EQ(fib.lookup(4, address("10.1.2.3").data())->ifindex, 4u);
  EXPECT_EQ(fib.lookup(4, address("10.1.2.4").data())->ifindex, 3u);
  EXPECT_EQ(fib.lookup(4, address("10.1.3.4").data())->ifindex, 2u);
  EXPECT_EQ(fib.lookup(4, address("8.8.8.8").data())->ifindex, 1u);
  EXPECT_EQ(fib.lookup(6, address("2001:db8::5").data())->ifindex, 6u);
  EXPECT_EQ(fib.lookup(6, address("2001:db9::5").data()), nullptr);
  const FibRoute* route = fib.lookup(4, address("10.1.2.3").data());
  EXPECT_EQ(route->dmac, (std::array<uint8_t, 6>{0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f}));
  EXPECT_EQ(route->mtu, 1500);
  EXPECT_EQ(fib.lookup(4, address("10.1.0.9").data())->mtu, 1400);
}

TEST(Fib, ErrorsNameTheFileAndTheRoute) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"routes": [{"prefix": "10.0.0.0/8", "ifindex": 1}, {"prefix": "10.0.0/8", "ifindex": 1}]})",
       "route 1: prefix '10.0.0/8' is not an IPv4 or IPv6 prefix"},
      {R"({"routes": [{"prefix": "10.0.0.0/33", "ifindex": 1}]})",
       "route 0: prefix '10.0.0.0/33' has a bad length"},
      {R"({"routes": [{"prefix": "10.0.0.0/8"}]})", "route 0: missing 'ifindex'"},
      {R"({"routes": [{"prefix": "10.0.0.0/8", "ifindex": 1, "dmac": "02:00:00:00:00"}]})",
       "route 0: dmac '02:00:00:00:00' is not a MAC address"},
      {R"({"routes": [{"prefix": "10.0.0.0/8", "ifindex": 1, "gateway": "::1"}]})",
       "route 0: gateway '::1' is not an IPv4 address"},
      {R"({"routes": [{"prefix": "10.0.0.0/8", "ifindex": 1, "mtu": 10}]})",
       "route 0: 'mtu' must be"},
      {R"({"routes": [{"prefix": "10.0.0.0/8", "ifindex": 1, "metric": 10}]})",
       "route 0: unknown field 'metric'"},
      {R"({"route": []})", "expected an object with a \"routes\" array"},
      {R"({"routes": [)", "not valid JSON"},
  };
  for (const auto& [text, expected] : cases) {
    const std::string path = write_file("bad_routes.json", text);
    Fib fib;
    try {
      fib.load_json_file(path);
      ADD_FAILURE() << "no error for " << text;
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()).rfind(path + ": ", 0), 0u) << e.what();
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
    EXPECT_TRUE(fib.routes().empty());
  }
  EXPECT_THROW(Fib().load_json_file("/nonexistent/routes.json"), Error);
}

// struct bpf_fib_lookup, as a program lays it out on its stack.
struct FibParams {
  uint8_t family;
  uint8_t l4_protocol;
  uint16_t sport;
  uint16_t dport;
  uint16_t tot_len;
  uint32_t ifindex;
  uint32_t tos;
  uint8_t src[16];
  uint8_t dst[16];
  uint16_t vlan_proto;
  uint16_t vlan_tci;
  uint8_t smac[6];
  uint8_t dmac[6];
};
static_assert(sizeof(FibParams) == 64);

struct FibWorld : TestWorld {
  XdpFrame frame{std::vector<uint8_t>(60, 0)};
  FibWorld() {
    runtime->fib().load_json_file(write_file("helper_routes.json", kRoutes));
    runtime->begin_invocation(&frame);
  }
  FibParams& params() { return *reinterpret_cast<FibParams*>(stack); }
  uint64_t lookup(const char* destination, uint16_t tot_len = 0, uint32_t flags = 0) {
    params() = FibParams{};
    const bool v6 = std::string(destination).find(':') != std::string::npos;
    params().family = v6 ? 10 : 2;
    params().ifindex = 1;
    params().tot_len = tot_len;
    params().vlan_tci = 0xffff;
    const auto bytes = address(destination);
    std::memcpy(params().dst, bytes.data(), v6 ? 16 : 4);
    return call(kHelperFibLookup, address_of(frame.context()), address_of(stack), 64, flags);
  }
};

TEST(FibLookupHelper, HitFillsTheForwardingFields) {
  FibWorld world;
  EXPECT_EQ(world.lookup("10.1.2.3", 100), 0u);  // BPF_FIB_LKUP_RET_SUCCESS
  const FibParams& p = world.params();
  EXPECT_EQ(p.ifindex, 4u);
  EXPECT_EQ(std::vector<uint8_t>(p.dmac, p.dmac + 6),
            (std::vector<uint8_t>{0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f}));
  EXPECT_EQ(std::vector<uint8_t>(p.smac, p.smac + 6), (std::vector<uint8_t>{2, 0, 0, 0, 0, 4}));
  EXPECT_EQ(p.tot_len, 1500);  // mtu_result
  EXPECT_EQ(p.vlan_tci, 0);
  EXPECT_EQ(world.fault(), "");
}

TEST(FibLookupHelper, GatewayReplacesTheDestination) {
  FibWorld world;
  EXPECT_EQ(world.lookup("8.8.8.8"), 0u);
  EXPECT_EQ(world.params().ifindex, 1u);
  EXPECT_EQ(std::vector<uint8_t>(world.params().dst, world.params().dst + 4),
            (std::vector<uint8_t>{192, 168, 0, 1}));
  EXPECT_EQ(world.lookup("2001:db8::77"), 0u);
  const auto gateway = address("2001:db8::1");
  EXPECT_EQ(std::memcmp(world.params().dst, gateway.data(), 16), 0);
  EXPECT_EQ(world.params().ifindex, 6u);
}

TEST(FibLookupHelper, MissNoNeighbourAndFragmentationNeeded) {
  FibWorld world;
  EXPECT_EQ(world.lookup("2001:db9::1"), 4u);            // NOT_FWDED: no route
  EXPECT_EQ(world.lookup("fe80::1"), 4u);                // link-local is never forwarded
  EXPECT_EQ(world.lookup("10.1.2.9"), 7u);               // NO_NEIGH: the /24 has no dmac
  EXPECT_EQ(world.params().ifindex, 3u);                 // ... but the egress is known
  EXPECT_EQ(world.lookup("10.1.2.9", 0, 4), 0u);         // BPF_FIB_LOOKUP_SKIP_NEIGH
  EXPECT_EQ(world.lookup("10.1.9.9", 1401), 8u);         // FRAG_NEEDED
  EXPECT_EQ(world.params().tot_len, 1400);               // mtu_result
  EXPECT_EQ(world.lookup("10.1.9.9", 1400, 1 | 2), 0u);  // DIRECT | OUTPUT accepted
}

TEST(FibLookupHelper, ArgumentErrors) {
  FibWorld world;
  EXPECT_EQ(as_signed(world.lookup("10.1.2.3", 0, 1u << 3)), -EINVAL);  // TBID
  world.params().family = 7;
  EXPECT_EQ(as_signed(world.call(kHelperFibLookup, address_of(world.frame.context()),
                                 address_of(world.stack), 64, 0)),
            -EAFNOSUPPORT);
  EXPECT_EQ(as_signed(world.call(kHelperFibLookup, address_of(world.frame.context()),
                                 address_of(world.stack), 32, 0)),
            -EINVAL);
  EXPECT_EQ(world.fault(), "");
  world.call(kHelperFibLookup, address_of(world.frame.context()), address_of(world.stack + 480), 64,
             0);
  EXPECT_NE(world.fault().find("helper fib_lookup: params pointer"), std::string::npos)
      << world.fault();
}

}  // namespace
}  // namespace nicsim::ebpf::test
