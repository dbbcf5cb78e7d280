// Loading programs into the running kernel: verdicts, logs, statistics, both load paths, map
// creation and relocation, test runs, and that nothing is left behind. Every case skips,
// saying why, where the kernel does not let this process load BPF programs.

#include "testbench/kernel_oracle/kernel_program.h"

#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <string>
#include <vector>

#include "ebpf/asm/assembler.h"
#include "ebpf/elf/elf_loader.h"
#include "testbench/kernel_oracle/test/kernel_test_support.h"

namespace nicsim::kernel_oracle {
namespace {

using test::oracle_program;
using test::sample;

ebpf::ElfObject assembled(const std::string& source,
                          ebpf::ProgramType type = ebpf::ProgramType::Xdp) {
  return ebpf::make_single_program_object(ebpf::assemble(source), type, "prog");
}

// r1 = data; r0 = *(u32 *)data without comparing data with data_end.
constexpr const char* kUncheckedPacketRead =
    "r2 = *(u32 *)(r1 + 0)\n"
    "r0 = *(u32 *)(r2 + 0)\n"
    "exit";

std::vector<uint8_t> packet(size_t size) {
  std::vector<uint8_t> bytes(size);
  for (size_t i = 0; i < size; ++i)
    bytes[i] = static_cast<uint8_t>(i * 7 + 1);
  return bytes;
}

bpf_map_info map_info(int fd) {
  bpf_map_info info{};
  uint32_t length = sizeof info;
  EXPECT_EQ(bpf_obj_get_info_by_fd(fd, &info, &length), 0);
  return info;
}

uint64_t slot(int map_fd, uint32_t key) {
  uint64_t value = 0;
  EXPECT_EQ(bpf_map_lookup_elem(map_fd, &key, &value), 0);
  return value;
}

// The kernel frees a program after an RCU grace period, and its maps with it: the ids may
// outlive the last fd by a few milliseconds. True once `id` names nothing (within 5 s).
bool released(int (*get_fd_by_id)(uint32_t), uint32_t id) {
  for (int attempt = 0; attempt < 500; ++attempt) {
    const int fd = get_fd_by_id(id);
    if (fd < 0) return errno == ENOENT;
    close(fd);
    usleep(10'000);
  }
  return false;
}

class KernelProgramTest : public ::testing::Test {
 protected:
  void SetUp() override { NICSIM_SKIP_WITHOUT_KERNEL(); }
};

TEST_F(KernelProgramTest, AcceptsReportsAndRunsASmallProgram) {
  const ebpf::ElfObject object = assembled("r0 = 2\nexit");
  const KernelProgram kernel = KernelProgram::load(object, object.programs[0]);
  const KernelLoadResult& r = kernel.result();
  ASSERT_EQ(r.verdict, KernelVerdict::Accepted) << r.log;
  EXPECT_TRUE(kernel.loaded());
  EXPECT_GE(kernel.fd(), 0);
  EXPECT_EQ(r.loader, KernelLoader::Direct);  // no file for libbpf to open
  EXPECT_EQ(r.verified_insns, 2U);            // one path, two instructions
  EXPECT_EQ(r.xlated_bytes, 16U);             // two 8-byte instructions, nothing rewritten
  EXPECT_GT(r.jited_bytes, 0U);
  ASSERT_TRUE(r.kernel_verification_seconds.has_value());
  EXPECT_GT(*r.kernel_verification_seconds, 0.0);
  EXPECT_EQ(r.first_error, "");

  const std::vector<uint8_t> input = packet(64);
  const KernelTestRun run = kernel.test_run_xdp(input, 100);
  EXPECT_EQ(run.return_value, 2U);  // XDP_PASS
  EXPECT_EQ(run.packet, input);
  EXPECT_EQ(run.repeat, 100U);

  // The buffer starts zeroed: the kernel must have written the code into it.
  const std::vector<uint8_t> code = kernel.jited_code();
  EXPECT_EQ(code.size(), r.jited_bytes);
  EXPECT_TRUE(std::any_of(code.begin(), code.end(), [](uint8_t b) { return b != 0; }));
}

TEST_F(KernelProgramTest, RefusesAnUncheckedPacketReadWithTheKernelsWords) {
  const ebpf::ElfObject object = assembled(kUncheckedPacketRead);
  const KernelProgram kernel = KernelProgram::load(object, object.programs[0]);
  const KernelLoadResult& r = kernel.result();
  EXPECT_EQ(r.verdict, KernelVerdict::Rejected);
  EXPECT_FALSE(kernel.loaded());
  EXPECT_EQ(kernel.fd(), -1);
  EXPECT_EQ(r.error_number, EACCES);
  EXPECT_EQ(r.first_error, "invalid access to packet, off=0 size=4, R2(id=0,off=0,r=0)");
  EXPECT_EQ(r.verified_insns, 2U);  // the failing instruction is counted
  EXPECT_EQ(r.xlated_bytes, 0U);
  EXPECT_THROW(kernel.test_run_xdp(packet(64)), Error);
}

TEST_F(KernelProgramTest, EveryLogLevelFindsTheSameComplaint) {
  const ebpf::ElfObject object = assembled(kUncheckedPacketRead);
  std::string complaints[3];
  for (uint32_t level = 0; level < 3; ++level) {
    KernelLoadOptions options;
    options.log_level = level;
    const KernelProgram kernel = KernelProgram::load(object, object.programs[0], options);
    complaints[level] = kernel.result().first_error;
    const bool traced =
        kernel.result().log.find("1: (61) r0 = *(u32 *)(r2 +0)") != std::string::npos;
    EXPECT_EQ(traced, level > 0) << "level " << level << ":\n" << kernel.result().log;
  }
  EXPECT_EQ(complaints[0], "invalid access to packet, off=0 size=4, R2(id=0,off=0,r=0)");
  EXPECT_EQ(complaints[1], complaints[0]);
  EXPECT_EQ(complaints[2], complaints[0]);
}

// 300 additions: a level-2 log of a few tens of kilobytes.
std::string long_program() {
  std::string source = "r0 = 0\n";
  for (int i = 0; i < 300; ++i)
    source += "r0 += 1\n";
  return source + "exit";
}

TEST_F(KernelProgramTest, TheLogGrowsUntilItFits) {
  const ebpf::ElfObject object = assembled(long_program());
  KernelLoadOptions options;
  options.log_level = 2;
  options.initial_log_bytes = 4096;
  const KernelProgram kernel = KernelProgram::load(object, object.programs[0], options);
  const KernelLoadResult& r = kernel.result();
  ASSERT_EQ(r.verdict, KernelVerdict::Accepted);
  EXPECT_FALSE(r.log_truncated);
  EXPECT_GT(r.log.size(), 4096U);
  EXPECT_NE(r.log.find("0: (b7) r0 = 0"), std::string::npos);  // the beginning survived
  EXPECT_NE(r.log.find("301: (95) exit"), std::string::npos);
  EXPECT_EQ(r.verified_insns, 302U);
}

TEST_F(KernelProgramTest, ALogTooLongKeepsItsTailAndTheVerdict) {
  const ebpf::ElfObject object = assembled(long_program());
  KernelLoadOptions options;
  options.log_level = 2;
  options.initial_log_bytes = 4096;
  options.max_log_bytes = 4096;
  const KernelProgram kernel = KernelProgram::load(object, object.programs[0], options);
  const KernelLoadResult& r = kernel.result();
  EXPECT_EQ(r.verdict, KernelVerdict::Accepted);
  EXPECT_TRUE(r.log_truncated);
  EXPECT_EQ(r.log.find("0: (b7) r0 = 0"), std::string::npos);  // the beginning is gone
  EXPECT_EQ(r.verified_insns, 302U);
  EXPECT_TRUE(r.kernel_verification_seconds.has_value());
}

TEST_F(KernelProgramTest, ProgramTypeComesFromTheSectionOrTheOptions) {
  const ebpf::ElfObject untyped = assembled("r0 = 0\nexit", ebpf::ProgramType::Unspec);
  EXPECT_THROW(KernelProgram::load(untyped, untyped.programs[0]), Error);
  KernelLoadOptions options;
  options.program_type = ebpf::ProgramType::SocketFilter;
  const KernelProgram filter = KernelProgram::load(untyped, untyped.programs[0], options);
  EXPECT_EQ(filter.result().verdict, KernelVerdict::Accepted);
  EXPECT_EQ(filter.result().program_type, ebpf::ProgramType::SocketFilter);
  EXPECT_THROW(filter.test_run_xdp(packet(64)), Error);  // not an XDP program
}

TEST_F(KernelProgramTest, AnUnsafeClangProgramIsRefused) {
  const ebpf::ElfObject object = ebpf::load_elf_file(oracle_program("unsafe_read"));
  const KernelProgram kernel = KernelProgram::load(object, object.programs[0]);
  EXPECT_EQ(kernel.result().loader, KernelLoader::Libbpf);
  EXPECT_EQ(kernel.result().verdict, KernelVerdict::Rejected);
  EXPECT_EQ(kernel.result().first_error.rfind("invalid access to packet, off=0 size=4", 0), 0U)
      << kernel.result().first_error;
}

TEST_F(KernelProgramTest, LegacyMapsFallBackToTheDirectPathAndReachTheRightMap) {
  const ebpf::ElfObject object = ebpf::load_elf_file(oracle_program("legacy_counter"));
  ASSERT_EQ(object.maps.size(), 2U);
  ASSERT_EQ(object.maps[1].name, "packets");
  const KernelProgram kernel = KernelProgram::load(object, object.programs[0]);
  const KernelLoadResult& r = kernel.result();
  ASSERT_EQ(r.verdict, KernelVerdict::Accepted) << r.setup_error << r.log;
  EXPECT_EQ(r.loader, KernelLoader::Direct);
  ASSERT_FALSE(r.notes.empty());
  EXPECT_NE(r.notes[0].find("legacy map definitions"), std::string::npos) << r.notes[0];

  EXPECT_EQ(kernel.map_fd(0), -1);  // the program does not use it
  const int packets = kernel.map_fd(1);
  ASSERT_GE(packets, 0);
  const bpf_map_info info = map_info(packets);  // as legacy_counter.c declares it
  EXPECT_EQ(info.type, BPF_MAP_TYPE_ARRAY);
  EXPECT_EQ(info.key_size, 4U);
  EXPECT_EQ(info.value_size, 8U);
  EXPECT_EQ(info.max_entries, 2U);

  EXPECT_EQ(kernel.test_run_xdp(packet(64)).return_value, 2U);  // XDP_PASS
  EXPECT_EQ(kernel.test_run_xdp(packet(64)).return_value, 2U);
  EXPECT_EQ(kernel.test_run_xdp(packet(40)).return_value, 1U);  // XDP_DROP
  EXPECT_EQ(slot(packets, 0), 3U);
  EXPECT_EQ(slot(packets, 1), 0U);
}

TEST_F(KernelProgramTest, LibbpfRefusesLegacyMapsOutright) {
  const ebpf::ElfObject object = ebpf::load_elf_file(oracle_program("legacy_counter"));
  KernelLoadOptions options;
  options.loader = KernelLoader::Libbpf;
  const KernelProgram kernel = KernelProgram::load(object, object.programs[0], options);
  EXPECT_EQ(kernel.result().verdict, KernelVerdict::NotLoaded);
  EXPECT_NE(kernel.result().setup_error.find("legacy map definitions"), std::string::npos)
      << kernel.result().setup_error;
}

TEST_F(KernelProgramTest, MapsOfMapsGetTheirInnerMapFirst) {
  const ebpf::ElfObject object = ebpf::load_elf_file(sample("build/map_in_map_legacy.o"));
  KernelLoadOptions options;
  options.program_type = ebpf::ProgramType::Xdp;
  const KernelProgram kernel = KernelProgram::load(object, object.programs[0], options);
  ASSERT_EQ(kernel.result().verdict, KernelVerdict::Accepted)
      << kernel.result().setup_error << kernel.result().first_error;
  EXPECT_EQ(kernel.result().loader, KernelLoader::Direct);
  const int outer = kernel.map_fd(static_cast<size_t>(object.find_map("array_of_maps")));
  ASSERT_GE(outer, 0);
  EXPECT_EQ(map_info(outer).type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
}

// The same instructions reach the kernel either way: libbpf's relocation and nicsim's agree.
TEST_F(KernelProgramTest, LibbpfAndDirectPathsLoadTheSameInstructions) {
  std::vector<std::pair<std::string, std::optional<ebpf::ProgramType>>> objects = {
      {sample("build/global_variable.o"), ebpf::ProgramType::Xdp},
      {oracle_program("pinned_counter"), std::nullopt},
      {sample("build/map_in_map.o"), ebpf::ProgramType::Xdp},
      {sample("build/twomaps_btf.o"), ebpf::ProgramType::Xdp},
  };
#ifdef NICSIM_PROGRAMS_DIR
  for (const char* name : {"xdp_router_ipv4", "xdp_tunnel_ipip", "xdp_load_balancer"})
    objects.emplace_back(std::string(NICSIM_PROGRAMS_DIR) + "/" + name + ".o", std::nullopt);
#endif
  for (const auto& [path, type] : objects) {
    const ebpf::ElfObject object = ebpf::load_elf_file(path);
    const ebpf::Program& program = object.programs.back();
    KernelLoadOptions libbpf;
    libbpf.loader = KernelLoader::Libbpf;
    libbpf.program_type = type;
    KernelLoadOptions direct = libbpf;
    direct.loader = KernelLoader::Direct;
    const KernelProgram a = KernelProgram::load(object, program, libbpf);
    const KernelProgram b = KernelProgram::load(object, program, direct);
    SCOPED_TRACE(path + " " + program.display_name());
    ASSERT_EQ(a.result().verdict, KernelVerdict::Accepted)
        << a.result().first_error << a.result().setup_error;
    ASSERT_EQ(b.result().verdict, KernelVerdict::Accepted)
        << b.result().first_error << b.result().setup_error;
    EXPECT_EQ(a.result().xlated_bytes, b.result().xlated_bytes);
    EXPECT_EQ(a.result().jited_bytes, b.result().jited_bytes);
    EXPECT_EQ(a.result().verified_insns, b.result().verified_insns);
  }
}

TEST_F(KernelProgramTest, PinsNothingReachesItsMapAndReleasesEverything) {
  const std::filesystem::path pin = "/sys/fs/bpf/nicsim_oracle_pin";
  ASSERT_FALSE(std::filesystem::exists(pin)) << pin << " exists before the test";
  const ebpf::ElfObject object = ebpf::load_elf_file(oracle_program("pinned_counter"));
  uint32_t program_id = 0, map_id = 0;
  {
    const KernelProgram kernel = KernelProgram::load(object, object.programs[0]);
    ASSERT_EQ(kernel.result().verdict, KernelVerdict::Accepted) << kernel.result().first_error;
    EXPECT_EQ(kernel.result().loader, KernelLoader::Libbpf);
    EXPECT_FALSE(std::filesystem::exists(pin));
    const int map = kernel.map_fd(0);
    ASSERT_GE(map, 0);
    kernel.test_run_xdp(packet(64));
    kernel.test_run_xdp(packet(100));
    EXPECT_EQ(slot(map, 0), 164U);  // the program's map is the one map_fd names

    bpf_prog_info info{};
    uint32_t length = sizeof info;
    ASSERT_EQ(bpf_obj_get_info_by_fd(kernel.fd(), &info, &length), 0);
    program_id = info.id;
    map_id = map_info(map).id;
  }
  EXPECT_FALSE(std::filesystem::exists(pin));
  EXPECT_TRUE(released(bpf_prog_get_fd_by_id, program_id)) << "program " << program_id;
  EXPECT_TRUE(released(bpf_map_get_fd_by_id, map_id)) << "map " << map_id;
}

TEST_F(KernelProgramTest, WithoutPermissionNothingReachesTheVerifier) {
  const ebpf::ElfObject object = assembled("r0 = 2\nexit");
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // As "nobody": no CAP_BPF, no CAP_NET_ADMIN.
    if (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0) _exit(10);
    if (probe_kernel_access().available) _exit(11);
    const KernelProgram kernel = KernelProgram::load(object, object.programs[0]);
    if (kernel.result().verdict != KernelVerdict::NotLoaded) _exit(12);
    if (kernel.result().setup_error.find("does not let") == std::string::npos) _exit(13);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 10) GTEST_SKIP() << "cannot switch to user nobody";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "11: the probe still loads; 12: a verdict was given; "
                                       "13: the reason does not say why";
}

}  // namespace
}  // namespace nicsim::kernel_oracle
