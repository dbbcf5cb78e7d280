// nicsim-conformance-plugin as upstream's runner drives it: a separate process given the
// program as hex on stdin and the memory as its first argument, answering r0 in hex on stdout.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ebpf/conformance/assembled_suite.h"
#include "ebpf/conformance/test_file.h"

extern char** environ;

namespace nicsim::ebpf::conformance {
namespace {

using ::testing::HasSubstr;

const std::filesystem::path kSuiteDirectory =
    std::filesystem::path(NICSIM_TESTDATA_DIR) / "bpf-conformance";

struct ProcessResult {
  int status = -1;
  std::string out;
  std::string err;
};

// A scratch file removed when the object goes away.
class TempFile {
 public:
  TempFile() {
    path_ = (std::filesystem::temp_directory_path() / "nicsim-plugin-XXXXXX").string();
    const int fd = mkstemp(path_.data());
    if (fd >= 0) close(fd);
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }
  std::string read() const {
    std::ifstream in(path_, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  std::string path_;
};

// Runs the plugin with `arguments`, `input` on stdin; stdout/stderr go through files so that
// neither side can block on a full pipe.
ProcessResult run_plugin_process(const std::vector<std::string>& arguments,
                                 const std::string& input) {
  TempFile in, out, err;
  std::ofstream(in.path(), std::ios::binary) << input;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in.path().c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.path().c_str(), O_WRONLY | O_TRUNC, 0);
  posix_spawn_file_actions_addopen(&actions, 2, err.path().c_str(), O_WRONLY | O_TRUNC, 0);
  std::string program = NICSIM_CONFORMANCE_PLUGIN;
  std::vector<char*> argv = {program.data()};
  std::vector<std::string> copies = arguments;
  for (auto& argument : copies)
    argv.push_back(argument.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  ProcessResult result;
  if (posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ) == 0) {
    int status = 0;
    waitpid(pid, &status, 0);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  posix_spawn_file_actions_destroy(&actions);
  result.out = out.read();
  result.err = err.read();
  return result;
}

// Upstream's encoding: each byte as two hex digits followed by two spaces.
std::string upstream_hex(const std::vector<uint8_t>& bytes) {
  std::string text;
  char buffer[8];
  for (const uint8_t byte : bytes) {
    std::snprintf(buffer, sizeof(buffer), "%02x  ", byte);
    text += buffer;
  }
  return text;
}

std::string program_hex(const std::vector<Instruction>& insns) {
  std::vector<uint8_t> bytes(insns.size() * sizeof(Instruction));
  std::memcpy(bytes.data(), insns.data(), bytes.size());
  return upstream_hex(bytes) + "\n";
}

const AssembledSuite& assembled_suite() {
  static const AssembledSuite suite =
      AssembledSuite::load(kSuiteDirectory / "tests_assembled.jsonl");
  return suite;
}

// Runs one suite test through the plugin the way upstream does.
ProcessResult run_suite_test(const std::string& name, std::vector<std::string> options = {}) {
  const ConformanceTest test = load_conformance_test(kSuiteDirectory / "tests" / name);
  const auto* insns = assembled_suite().find(name);
  EXPECT_NE(insns, nullptr) << name;
  if (insns == nullptr) return {};
  std::vector<std::string> arguments;
  if (!test.memory.empty()) arguments.push_back(upstream_hex(test.memory));
  arguments.insert(arguments.end(), options.begin(), options.end());
  return run_plugin_process(arguments, program_hex(*insns));
}

TEST(ConformancePluginProcess, ProgramWithoutMemory) {
  const ProcessResult result = run_suite_test("add.data");
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out, "3\n");
  EXPECT_EQ(result.err, "");
}

TEST(ConformancePluginProcess, ProgramReadingMemory) {
  // subnet.data parses an Ethernet/VLAN/IPv4 header from its memory.
  ProcessResult result = run_suite_test("subnet.data");
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out, "1\n");
  // mem-len.data returns r2, the memory's length.
  result = run_suite_test("mem-len.data");
  EXPECT_EQ(result.out, "8\n");
}

TEST(ConformancePluginProcess, OptionsAfterTheMemory) {
  ProcessResult result = run_suite_test("ldxb.data", {"--engine", "interp"});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out, "11\n");
  // Older runners pass all options as one argument, possibly empty.
  result = run_suite_test("ldxb.data", {"--engine interp"});
  EXPECT_EQ(result.out, "11\n");
  result = run_suite_test("ldxb.data", {""});
  EXPECT_EQ(result.out, "11\n");
}

TEST(ConformancePluginProcess, Errors) {
  // ldxw r0, [r1+0] with no memory: r1 is 0.
  ProcessResult result = run_plugin_process({}, "61 10 00 00 00 00 00 00 95 00 00 00 00 00 00 00");
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_THAT(result.err, HasSubstr("insn 0: invalid read of 4 bytes at 0x0"));

  result = run_plugin_process({"--engine", "nope"}, "9500000000000000");
  EXPECT_EQ(result.status, 2);
  EXPECT_THAT(result.err, HasSubstr("unknown engine 'nope'"));

  result = run_plugin_process({}, "95 0");
  EXPECT_EQ(result.status, 2);
  EXPECT_THAT(result.err, HasSubstr("program on stdin"));

  // An unknown helper is refused before the program runs.
  result = run_plugin_process({}, "85 00 00 00 e7 03 00 00 95 00 00 00 00 00 00 00");
  EXPECT_EQ(result.status, 1);
  EXPECT_THAT(result.err, HasSubstr("insn 0: call to unknown helper 999"));
}

TEST(ConformancePluginProcess, WholeSuite) {
  // Every test of the suite through the process boundary, compared as upstream compares.
  int passed = 0;
  const auto files = find_conformance_tests(kSuiteDirectory / "tests");
  for (const auto& path : files) {
    const std::string name = path.filename().string();
    const ConformanceTest test = load_conformance_test(path);
    const ProcessResult result = run_suite_test(name);
    ASSERT_TRUE(test.expected_result.has_value()) << name;
    if (result.status != 0) {
      ADD_FAILURE() << name << ": exit " << result.status << ": " << result.err;
      continue;
    }
    const uint64_t r0 = std::stoull(result.out, nullptr, 16);
    EXPECT_EQ(r0, *test.expected_result) << name;
    if (r0 == *test.expected_result) ++passed;
  }
  EXPECT_EQ(passed, 313);
}

}  // namespace
}  // namespace nicsim::ebpf::conformance
