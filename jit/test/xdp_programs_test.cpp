// Real XDP programs on the interpreter and on each JIT backend with generated traffic: nicsim's
// bundled programs (with their default map contents), the Linux kernel's XDP samples built
// from linux-source (with the map entries and routes that make them forward), and the compiled
// kernel samples of the shared corpus (ebpf-samples/linux/xdp*_kern.o). Every packet must get
// the same action, leave the same bytes (the frame the program transmits or redirects) and the
// same redirect target, and the maps must hold the same contents after each packet
// (compare_engines checks all of it). Each program runs three ways: checked, checked with
// constant blinding, and verified (the verifier's VerifiedProgram compiled in Verified mode
// with its facts: plain proven accesses, xdp_md loads translated at compile time, decided
// branches, dead code and redundant zero-extensions left out).

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "ebpf/elf/elf_loader.h"
#include "ebpf/runtime/map_json.h"
#include "jit/test/jit_test_support.h"
#include "testbench/traffic/addresses.h"
#include "testbench/traffic/generator.h"
#include "testbench/traffic/traffic_spec.h"
#include "verifier/verifier.h"

namespace nicsim::jit::test {
namespace {

enum class Mode { Checked, Hardened, Verified };

const char* mode_name(Mode mode) {
  switch (mode) {
    case Mode::Checked:
      return "checked";
    case Mode::Hardened:
      return "hardened";
    default:
      return "verified";
  }
}

// Prepares one world's runtime (maps, routes) before its engine is built.
using WorldSetup = std::function<void(ebpf::Runtime&)>;

EngineFactory with_setup(EngineFactory factory, WorldSetup setup) {
  return [factory = std::move(factory), setup = std::move(setup)](const ebpf::Program& program,
                                                                  ebpf::Runtime& runtime) {
    if (setup) setup(runtime);
    return factory(program, runtime);
  };
}

std::vector<DifferentialInput> traffic_inputs(const std::vector<std::string>& specs) {
  std::vector<DifferentialInput> inputs;
  for (const std::string& spec : specs) {
    for (const traffic::Packet& packet :
         traffic::generate_traffic(traffic::parse_traffic_spec(spec))) {
      DifferentialInput input = xdp_input(packet.bytes);
      input.ingress_ifindex = packet.ingress_ifindex;
      input.rx_queue_index = packet.rx_queue_index;
      inputs.push_back(std::move(input));
    }
  }
  // Frames no generator makes: empty, runts, an IPv4 header with IHL < 5, a truncated one.
  inputs.push_back(xdp_input({}));
  inputs.push_back(xdp_input({0x02, 0x00, 0x00}));
  std::vector<uint8_t> frame(60, 0);
  frame[12] = 0x08;
  frame[14] = 0x44;
  inputs.push_back(xdp_input(frame));
  frame[14] = 0x45;
  frame.resize(30);
  inputs.push_back(xdp_input(frame));
  return inputs;
}

// Runs program `program_name` ("" for the object's first XDP program) on both engines.
// The traffic must exercise the program, not bounce off its first check: the packets get at
// least `min_actions` different actions.
void expect_agreement(const JitTarget& target, const std::string& object_path,
                      const std::string& program_name, const std::vector<std::string>& specs,
                      const WorldSetup& setup = {}, size_t min_actions = 2) {
  SCOPED_TRACE(object_path + " " + program_name);
  const ebpf::ElfObject object = ebpf::load_elf_file(object_path);
  size_t index = object.programs.size();
  for (size_t i = 0; i < object.programs.size(); ++i) {
    const ebpf::Program& program = object.programs[i];
    if (program_name.empty()
            ? program.type == ebpf::ProgramType::Xdp
            : (program.section == program_name || program.function == program_name)) {
      index = i;
      break;
    }
  }
  ASSERT_LT(index, object.programs.size()) << "no such program";
  const std::vector<DifferentialInput> inputs = traffic_inputs(specs);
  for (const Mode mode : {Mode::Checked, Mode::Hardened, Mode::Verified}) {
    SCOPED_TRACE(mode_name(mode));
    JitOptions options;
    options.harden = mode == Mode::Hardened;
    const EngineFactory jit =
        mode == Mode::Verified ? verified_factory(target, options) : jit_factory(target, options);
    DifferentialOptions compare;
    compare.compare_instruction_counts = mode != Mode::Verified;  // verified code counts none
    const DifferentialReport report =
        compare_engines(object, index, inputs, with_setup(interpreter_factory(), setup),
                        with_setup(jit, setup), compare);
    EXPECT_TRUE(report.equal) << report.difference;
    ASSERT_EQ(report.candidate_results.size(), inputs.size());
    std::set<ebpf::XdpAction> actions;
    for (const auto& result : report.candidate_results)
      actions.insert(ebpf::xdp_action_of(result));
    EXPECT_GE(actions.size(), min_actions) << "too few different actions";
    if (mode == Mode::Verified) {
      // Verified code carries no instruction budget: a count would mean it ran checked.
      for (const auto& result : report.candidate_results)
        EXPECT_EQ(result.instructions, 0u);
      std::map<ebpf::XdpAction, int> histogram;
      for (const auto& result : report.candidate_results)
        ++histogram[ebpf::xdp_action_of(result)];
      std::string summary;
      for (const auto& [action, count] : histogram)
        summary += fmt::format(" {} {}", count, ebpf::xdp_action_name(action));
      std::cout << target.name << " " << std::filesystem::path(object_path).filename().string()
                << " " << program_name << ":" << summary << "\n";
    }
  }
}

WorldSetup default_maps(const std::string& name) {
  const std::string path = std::string(NICSIM_PROGRAMS_DIR) + "/" + name + ".maps.json";
  if (!std::filesystem::exists(path)) return {};
  return [path](ebpf::Runtime& runtime) {
    std::ifstream in(path);
    ebpf::load_map_contents(runtime, nlohmann::json::parse(in), path);
  };
}

std::string bundled(const std::string& name) {
  return std::string(NICSIM_PROGRAMS_DIR) + "/" + name + ".o";
}

class JitXdpPrograms : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { NICSIM_REQUIRE_RUNNABLE(target()); }
  const JitTarget& target() const { return jit_target(GetParam()); }
};

TEST_P(JitXdpPrograms, Drop) {
  expect_agreement(target(), bundled("xdp_drop"), "", {"proto=udp,size=64,flows=16,packets=50"}, {},
                   1);
}

TEST_P(JitXdpPrograms, Tx) {
  expect_agreement(target(), bundled("xdp_tx"), "",
                   {"proto=udp,size=64,flows=16,packets=100",
                    "ip=mix,proto=mix,size=imix,flows=50,packets=100"});
}

TEST_P(JitXdpPrograms, Firewall) {
  expect_agreement(target(), bundled("xdp_firewall"), "",
                   {"src=10.0.0.1,dst=203.0.113.1,sport=1024-1039,dport=80,flows=16,packets=200",
                    "src=203.0.113.1,dst=10.0.0.1,sport=80,dport=1024-1039,flows=16,packets=200",
                    "src=198.51.100.0/24,dst=10.0.0.0/8,flows=100,packets=200",
                    "ip=6,proto=tcp,size=80,flows=8,packets=20"},
                   {}, 3);
}

TEST_P(JitXdpPrograms, RouterIpv4) {
  expect_agreement(target(), bundled("xdp_router_ipv4"), "",
                   {"dst=192.168.0.0/23,proto=mix,size=64,flows=256,packets=300",
                    "dst=10.0.0.0/8,flows=10,packets=50", "dst=203.0.113.0/24,flows=10,packets=50",
                    "dst=198.51.100.0/24,flows=10,packets=50",
                    "dst=192.168.0.0/23,ttl=1,flows=4,packets=20", "ip=6,flows=10,packets=20"},
                   default_maps("xdp_router_ipv4"), 4);
}

TEST_P(JitXdpPrograms, TunnelIpip) {
  expect_agreement(target(), bundled("xdp_tunnel_ipip"), "",
                   {"dst=192.168.0.0/23,proto=mix,size=imix,flows=256,packets=300",
                    "dst=10.1.0.0/16,flows=8,packets=40", "ip=6,flows=4,packets=10"},
                   default_maps("xdp_tunnel_ipip"), 3);
}

TEST_P(JitXdpPrograms, LoadBalancer) {
  expect_agreement(target(), bundled("xdp_load_balancer"), "",
                   {"dst=10.100.0.1,dport=80,proto=tcp,size=64,flows=200,packets=400",
                    "dst=10.100.0.2,dport=53,proto=udp,flows=50,packets=100",
                    "dst=10.100.0.9,flows=5,packets=20"},
                   default_maps("xdp_load_balancer"), 3);
}

// --- the kernel's samples, built from linux-source ---

class JitKernelSamples : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    NICSIM_REQUIRE_RUNNABLE(target());
    if (!NICSIM_KERNEL_SAMPLES_BUILT)
      GTEST_SKIP() << "the kernel XDP samples were not built (no linux-source tarball)";
  }
  const JitTarget& target() const { return jit_target(GetParam()); }
  static std::string object(const std::string& name) {
    return std::string(NICSIM_KERNEL_PROGRAMS_DIR) + "/" + name + ".o";
  }
};

std::vector<uint8_t> bytes_of_ipv4(const char* text) {
  const traffic::IpPrefix prefix = traffic::parse_ip_prefix(text);
  return {prefix.address[0], prefix.address[1], prefix.address[2], prefix.address[3]};
}

void put_entry(ebpf::Runtime& runtime, const std::string& map_name, std::vector<uint8_t> key,
               std::vector<uint8_t> value) {
  for (size_t i = 0; i < runtime.map_count(); ++i) {
    ebpf::Map& map = runtime.map(i);
    if (map.def().name != map_name) continue;
    key.resize(map.def().key_size, 0);
    value.resize(map.def().value_size, 0);
    if (map.host_update(key.data(), value.data(), ebpf::kMapUpdateAny) != 0)
      throw Error("cannot update map " + map_name);
    return;
  }
  throw Error("no map " + map_name);
}

std::vector<uint8_t> u32_bytes(uint32_t value) {
  std::vector<uint8_t> bytes(4);
  std::memcpy(bytes.data(), &value, 4);
  return bytes;
}

TEST_P(JitKernelSamples, AdjustTail) {
  expect_agreement(
      target(), object("xdp_adjust_tail"), "xdp_icmp",
      {"proto=mix,size=64-1500,flows=50,packets=150", "ip=6,size=700,flows=4,packets=10"}, {}, 3);
}

TEST_P(JitKernelSamples, Fwd) {
  const WorldSetup setup = [](ebpf::Runtime& runtime) {
    ebpf::FibRoute route;
    route.family = 4;
    const traffic::IpPrefix prefix = traffic::parse_ip_prefix("192.168.0.0/16");
    std::copy(prefix.address.begin(), prefix.address.end(), route.prefix.begin());
    route.prefix_length = 16;
    route.ifindex = 2;
    route.smac = traffic::parse_mac("02:00:00:00:00:aa");
    route.dmac = traffic::parse_mac("02:00:00:00:00:bb");
    runtime.fib().add_route(route);
    put_entry(runtime, "xdp_tx_ports", u32_bytes(2), u32_bytes(2));
  };
  for (const char* program : {"xdp_fwd", "xdp_fwd_direct"})
    expect_agreement(
        target(), object("xdp_fwd"), program,
        {"dst=192.168.0.0/20,proto=mix,flows=50,packets=150", "dst=10.9.0.0/16,flows=10,packets=30",
         "dst=192.168.0.0/20,ttl=1,flows=5,packets=10"},
        setup, 3);
}

TEST_P(JitKernelSamples, TxIptunnel) {
  const WorldSetup setup = [](ebpf::Runtime& runtime) {
    // struct vip: daddr (16-byte union), dport (network order), family (u16), protocol.
    std::vector<uint8_t> key(24, 0);
    const auto vip = bytes_of_ipv4("10.100.0.1");
    std::copy(vip.begin(), vip.end(), key.begin());
    key[16] = 0x00;
    key[17] = 0x50;
    key[18] = 2;  // AF_INET
    key[20] = 6;  // TCP
    // struct iptnl_info: saddr, daddr (16-byte unions), family, dmac.
    std::vector<uint8_t> value(40, 0);
    const auto source = bytes_of_ipv4("172.16.0.1");
    const auto destination = bytes_of_ipv4("172.16.1.1");
    std::copy(source.begin(), source.end(), value.begin());
    std::copy(destination.begin(), destination.end(), value.begin() + 16);
    value[32] = 2;
    const traffic::MacAddress mac = traffic::parse_mac("02:00:00:00:10:01");
    std::copy(mac.begin(), mac.end(), value.begin() + 34);
    put_entry(runtime, "vip2tnl", key, value);
  };
  expect_agreement(target(), object("xdp_tx_iptunnel"), "",
                   {"dst=10.100.0.1,dport=80,proto=tcp,flows=50,packets=150",
                    "dst=10.100.0.1,dport=81,proto=tcp,flows=5,packets=20",
                    "dst=10.100.0.1,dport=80,proto=udp,flows=5,packets=20"},
                   setup, 3);
}

TEST_P(JitKernelSamples, RouterIpv4) {
  const WorldSetup setup = [](ebpf::Runtime& runtime) {
    std::vector<uint8_t> key = u32_bytes(16);
    for (uint8_t byte : bytes_of_ipv4("192.168.0.0"))
      key.push_back(byte);
    std::vector<uint8_t> value(32, 0);
    const auto prefix = bytes_of_ipv4("192.168.0.0");
    std::copy(prefix.begin(), prefix.end(), value.begin());
    const traffic::MacAddress smac = traffic::parse_mac("02:00:00:00:00:aa");
    std::copy(smac.begin(), smac.end(), value.begin() + 8);
    const auto ifindex = u32_bytes(2);
    std::copy(ifindex.begin(), ifindex.end(), value.begin() + 16);
    put_entry(runtime, "lpm_map", key, value);
    for (int host = 1; host <= 20; ++host) {
      std::vector<uint8_t> mac(8, 0);
      mac[0] = 0x02;
      mac[5] = static_cast<uint8_t>(host);
      put_entry(runtime, "arp_table", {192, 168, 0, static_cast<uint8_t>(host)}, mac);
    }
    put_entry(runtime, "tx_port", u32_bytes(2), u32_bytes(2));
  };
  expect_agreement(
      target(), object("xdp_router_ipv4"), "xdp_router_ipv4_prog",
      {"dst=192.168.0.0/27,proto=mix,flows=60,packets=150", "dst=10.1.0.0/16,flows=10,packets=20"},
      setup);
}

// --- the compiled kernel samples of the shared corpus ---

class JitCorpusXdpSamples : public ::testing::TestWithParam<std::string> {};

TEST_P(JitCorpusXdpSamples, EveryXdpProgramAgreesWithTheInterpreter) {
  const JitTarget& target = jit_target(GetParam());
  NICSIM_REQUIRE_RUNNABLE(target);
  const std::filesystem::path directory =
      std::filesystem::path(NICSIM_TESTDATA_DIR) / "ebpf-samples" / "linux";
  std::vector<std::filesystem::path> objects;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("xdp", 0) == 0 && name.size() > 9 &&
        name.compare(name.size() - 7, 7, "_kern.o") == 0)
      objects.push_back(entry.path());
  }
  std::sort(objects.begin(), objects.end());
  ASSERT_GE(objects.size(), 10u);
  const std::vector<DifferentialInput> inputs =
      traffic_inputs({"ip=mix,proto=mix,size=imix,flows=64,packets=120"});
  size_t compared = 0, verified = 0;
  std::vector<std::string> refused;
  for (const auto& path : objects) {
    ebpf::ElfObject object;
    try {
      object = ebpf::load_elf_file(path.string());
      ebpf::Runtime probe(object);  // maps nicsim cannot create: not run
    } catch (const std::exception& e) {
      ADD_FAILURE() << path << ": " << e.what();
      continue;
    }
    for (size_t p = 0; p < object.programs.size(); ++p) {
      if (object.programs[p].type != ebpf::ProgramType::Xdp) continue;
      const std::string where =
          fmt::format("{} {}", path.filename().string(), object.programs[p].display_name());
      SCOPED_TRACE(where);
      const DifferentialReport report =
          compare_engines(object, p, inputs, interpreter_factory(), jit_factory(target));
      EXPECT_TRUE(report.equal) << report.difference;
      ++compared;
      const auto verdict = verifier::verify(object, object.programs[p]);
      if (!verdict.accepted) {
        refused.push_back(where + ": " + verdict.error->to_string());
        continue;
      }
      DifferentialOptions options;
      options.compare_instruction_counts = false;
      const DifferentialReport verified_report = compare_engines(
          object, p, inputs, interpreter_factory(), verified_factory(target), options);
      EXPECT_TRUE(verified_report.equal) << "verified: " << verified_report.difference;
      ++verified;
    }
  }
  EXPECT_GE(compared, 12u);
  // The verifier accepts the kernel's XDP samples (verifier_corpus_test holds the details).
  EXPECT_EQ(verified, compared) << "refused: " << fmt::format("{}", fmt::join(refused, "; "));
  std::cout << target.name << ": compared " << compared << " XDP programs of the corpus, "
            << verified << " of them verified too\n";
}

INSTANTIATE_TEST_SUITE_P(Targets, JitXdpPrograms, ::testing::ValuesIn(target_names()),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Targets, JitKernelSamples, ::testing::ValuesIn(target_names()),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Targets, JitCorpusXdpSamples, ::testing::ValuesIn(target_names()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace nicsim::jit::test
