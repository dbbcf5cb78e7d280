#include "tools/nicsim/json_output.h"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "ebpf/util/error.h"

namespace nicsim::cli {

nlohmann::json read_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(fmt::format("{}: cannot open", path));
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(fmt::format("{}: invalid JSON at byte {}: {}", path, e.byte, e.what()));
  }
}

void write_json_file(const std::string& path, const nlohmann::json& value) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary);
    if (!out) throw Error(fmt::format("{}: cannot open for writing", path));
    out << value.dump(2) << "\n";
    out.close();
    if (!out) {
      std::remove(temporary.c_str());
      throw Error(fmt::format("{}: write failed", path));
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::remove(temporary.c_str());
    throw Error(fmt::format("{}: cannot write: {}", path, error.message()));
  }
}

void print_run_summary(const nlohmann::json& summary, const testbench::RunStats& stats,
                       const std::string& out_path, uint64_t packets_written) {
  fmt::print("nicsim run: {} ({}) on {}\n", summary["object"].get<std::string>(),
             summary["program"].get<std::string>(), summary["backend"].get<std::string>());
  fmt::print("  input: {}\n", summary["input"].get<std::string>());
  fmt::print("  packets: {}  ({} bytes in, {} bytes out)\n", stats.packets, stats.bytes_in,
             stats.bytes_out);
  for (uint32_t a = 0; a < ebpf::kNumXdpActions; ++a) {
    const auto action = static_cast<ebpf::XdpAction>(a);
    const double share = stats.packets ? 100.0 * stats.count(action) / stats.packets : 0.0;
    fmt::print("    {:<9} {:>10}  {:5.1f}%\n", ebpf::xdp_action_name(action), stats.count(action),
               share);
  }
  fmt::print("  eBPF instructions: {} ({:.1f} per packet, at most {})\n", stats.instructions,
             stats.packets ? static_cast<double>(stats.instructions) / stats.packets : 0.0,
             stats.max_instructions);
  if (summary.contains("arm64_instructions_per_packet"))
    fmt::print("  AArch64 instructions: {:.1f} per packet (emulated)\n",
               summary["arm64_instructions_per_packet"].get<double>());
  for (const auto& [index, reason] : stats.first_aborts)
    fmt::print("  aborted packet {}: {}\n", index, reason);
  if (!out_path.empty()) fmt::print("  wrote {} packets to {}\n", packets_written, out_path);
}

}  // namespace nicsim::cli
