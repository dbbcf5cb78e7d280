// The running kernel's verifier as an outside judge: every bundled program (and every
// kernel sample built) must load with `bpftool prog loadall`. Skipped, saying why, where
// bpftool is missing or the kernel does not let us load programs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

namespace nicsim::bench::test {
namespace {

namespace fs = std::filesystem;

struct CommandResult {
  int status = -1;
  std::string output;
};

CommandResult run(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe))
    result.output.append(buffer, n);
  result.status = pclose(pipe);
  return result;
}

class KernelVerifier : public ::testing::TestWithParam<std::string> {};

TEST_P(KernelVerifier, AcceptsTheObject) {
  const std::string bpftool = NICSIM_BPFTOOL;
  if (bpftool.empty() || !fs::exists(bpftool)) {
    GTEST_SKIP() << "bpftool is not installed (configure found '" << bpftool << "')";
  }
  const fs::path object = GetParam();
  if (!fs::exists(object)) {
    if (object.parent_path().filename() == "kernel" && !NICSIM_KERNEL_SAMPLES_BUILT) {
      GTEST_SKIP() << "the kernel XDP samples were not built (no linux-source tarball)";
    }
    FAIL() << object << " was not built";
  }
  const fs::path pins = fs::path("/sys/fs/bpf") /
                        ("nicsim_verifier_" + std::to_string(getpid()) + "_" +
                         object.parent_path().filename().string() + "_" + object.stem().string());
  fs::remove_all(pins);
  const CommandResult load = run("'" + bpftool + "' prog loadall '" + object.string() + "' '" +
                                 pins.string() + "' type xdp");
  std::error_code ignored;
  fs::remove_all(pins, ignored);
  if (load.status != 0 && (load.output.find("Operation not permitted") != std::string::npos ||
                           load.output.find("Permission denied") != std::string::npos ||
                           load.output.find("bpf file system") != std::string::npos)) {
    GTEST_SKIP() << "the kernel refused to let us load BPF programs:\n" << load.output;
  }
  EXPECT_EQ(load.status, 0) << "the kernel verifier rejected " << object << ":\n" << load.output;
}

std::string bundled(const std::string& name) {
  return std::string(NICSIM_PROGRAMS_DIR) + "/" + name + ".o";
}
std::string kernel_sample(const std::string& name) {
  return std::string(NICSIM_KERNEL_PROGRAMS_DIR) + "/" + name + ".o";
}

INSTANTIATE_TEST_SUITE_P(
    Programs, KernelVerifier,
    ::testing::Values(bundled("xdp_drop"), bundled("xdp_tx"), bundled("xdp_firewall"),
                      bundled("xdp_router_ipv4"), bundled("xdp_tunnel_ipip"),
                      bundled("xdp_load_balancer"), kernel_sample("xdp_adjust_tail"),
                      kernel_sample("xdp_fwd"), kernel_sample("xdp_tx_iptunnel"),
                      kernel_sample("xdp_router_ipv4")),
    [](const ::testing::TestParamInfo<std::string>& info) {
      const fs::path path = info.param;
      return (path.parent_path().filename() == "kernel" ? "kernel_" : "") + path.stem().string();
    });

}  // namespace
}  // namespace nicsim::bench::test
