// nicsim gen: synthetic traffic into a pcap.

#include <fmt/format.h>

#include "testbench/traffic/generator.h"
#include "testbench/traffic/pcap_writer.h"
#include "testbench/traffic/traffic_spec.h"
#include "tools/nicsim/cli_common.h"
#include "tools/nicsim/command.h"

namespace nicsim::cli {

int gen_main(const std::vector<std::string>& args) {
  std::string spec_text;
  std::string out;
  po::options_description options("options");
  options.add_options()(
      "spec,s", po::value(&spec_text)->default_value(""),
      "traffic as key=value pairs, e.g. 'ip=4,proto=udp,flows=16,packets=1000,size=64,seed=1'; "
      "keys: ip (4|6|mix), proto (udp|tcp|mix), size (N | MIN-MAX | imix), flows, packets, seed, "
      "rate (pps, suffixes k/M/G), order (rr|random), src, dst, src6, dst6 (prefixes), sport, "
      "dport (N or A-B), smac, dmac, ttl, ifindex, queues — see docs/traffic.md")(
      "out,o", po::value(&out)->required(), "output pcap (written atomically)")(
      "print-spec", "print the full spec with every default filled in");
  po::positional_options_description positional;
  po::variables_map values;
  if (!parse_command_line(args, "usage: nicsim gen --spec SPEC --out traffic.pcap", options,
                          positional, values))
    return kExitOk;

  const traffic::TrafficSpec spec = traffic::parse_traffic_spec(spec_text);
  if (values.count("print-spec")) fmt::print("{}\n", traffic::format_traffic_spec(spec));
  traffic::TrafficGenerator generator(spec);
  traffic::PcapWriter writer(out);
  uint64_t bytes = 0;
  while (!generator.done()) {
    const traffic::Packet packet = generator.next();
    bytes += packet.bytes.size();
    writer.write(packet);
  }
  writer.close();
  fmt::print("nicsim gen: wrote {} packets ({} bytes, {} flows) to {}\n", writer.packets_written(),
             bytes, spec.flows, out);
  return kExitOk;
}

}  // namespace nicsim::cli
