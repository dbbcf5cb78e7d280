// nicsim's verifier against the running kernel's, over the ebpf-samples corpus
// (expectations_prevail_2025-04.tsv), the bundled XDP programs and the kernel XDP samples: one
// case per program. Verdicts must agree, except for the differences listed below (and in
// docs/kernel-oracle.md), each with its reason and the kernel's words; a new difference fails,
// and so does a listed one that disappears (the list stays exact).

#include "testbench/kernel_oracle/kernel_comparison.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ebpf/asm/assembler.h"
#include "ebpf/elf/elf_loader.h"
#include "testbench/kernel_oracle/corpus.h"
#include "testbench/kernel_oracle/test/kernel_test_support.h"

namespace nicsim::kernel_oracle {

void PrintTo(const CorpusProgram& program, std::ostream* os) {
  *os << program.path << " " << program.section << "/" << program.function;
}

namespace {

enum class Why {
  Policy,         // nicsim differs from the kernel on purpose (docs/verifier.md, "Policy")
  VerifierGap,    // a kernel rule nicsim's verifier does not implement (reported)
  KernelBuild,    // this kernel's configuration, not its verifier
  NotComparable,  // the kernel never verified the program
};

struct KnownDifference {
  Why why;
  bool nicsim_accepts;
  std::string kernel_words;  // part of the kernel's first complaint (or setup error)
};

const std::map<std::string, KnownDifference>& known_differences() {
  static const std::map<std::string, KnownDifference> differences = {
      // Pointer leaks: a privileged kernel lets a pointer be stored in a map; nicsim never.
      {"build_exposeptr_o__text", {Why::Policy, false, ""}},
      // Uninitialised stack: a privileged kernel lets a helper read it; nicsim never.
      {"build_ringbuf_uninit_o__text", {Why::Policy, false, ""}},
      // Dead code is a warning in nicsim, an error in the kernel.
      {"build_byteswap_o__text", {Why::Policy, true, "unreachable insn 6"}},
      // A failed bpf_tail_call leaves R0 undefined in the kernel; nicsim's engines set it.
      {"build_tail_call_o_xdp_prog", {Why::Policy, true, "R0 !read_ok"}},
      // Helpers this kernel build does not offer: bpf_probe_write_user is locked down
      // (CONFIG_SECURITY_LOCKDOWN_LSM), bpf_override_return needs CONFIG_BPF_KPROBE_OVERRIDE.
      {"linux_test_probe_write_user_kern_o_kprobe_sys_connect",
       {Why::KernelBuild, true, "cannot use helper bpf_probe_write_user#36"}},
      {"linux_tracex7_kern_o_kprobe_open_ctree",
       {Why::KernelBuild, true, "cannot use helper bpf_override_return#58"}},
      // The kernel refuses the object's map (array maps need 4-byte keys).
      {"build_exposeptr2_o__text",
       {Why::NotComparable, false,
        "key 8, value 4, max_entries 1, flags 0x0): bpf_map_create "
        "failed: Invalid argument"}},
      // .text code without a function symbol that nothing calls: no loader loads it.
      {"prototype_kernel_xdp_ddos01_blacklist_kern_o__text",
       {Why::NotComparable, true, "no loader loads it"}},
  };
  return differences;
}

std::vector<CorpusProgram> programs() {
  std::vector<CorpusProgram> all =
      ebpf_samples_programs(std::string(NICSIM_TESTDATA_DIR) + "/ebpf-samples");
#ifdef NICSIM_PROGRAMS_DIR
  for (auto& p : directory_programs(NICSIM_PROGRAMS_DIR, "bundled_"))
    all.push_back(std::move(p));
  for (auto& p : directory_programs(NICSIM_KERNEL_PROGRAMS_DIR, "kernel_"))
    all.push_back(std::move(p));
#endif
  return all;
}

const ebpf::ElfObject& load(const std::string& path) {
  static std::map<std::string, std::unique_ptr<ebpf::ElfObject>> cache;
  auto& slot = cache[path];
  if (!slot) slot = std::make_unique<ebpf::ElfObject>(ebpf::load_elf_file(path));
  return *slot;
}

class KernelComparisonCorpus : public ::testing::TestWithParam<CorpusProgram> {
 protected:
  void SetUp() override { NICSIM_SKIP_WITHOUT_KERNEL(); }
};

TEST_P(KernelComparisonCorpus, VerdictsAgreeOrTheDifferenceIsKnown) {
  const CorpusProgram& p = GetParam();
  const ebpf::ElfObject& object = load(p.path);
  const ebpf::Program* program = nullptr;
  for (const ebpf::Program& candidate : object.programs) {
    if (candidate.section == p.section && (p.function.empty() || candidate.function == p.function))
      program = &candidate;
  }
  ASSERT_NE(program, nullptr) << "no program " << p.section << "/" << p.function;
  const KernelComparison c = compare_verdict(object, *program);
  RecordProperty("kernel_verdict", std::string(verdict_name(c.kernel_verdict)));
  const auto known = known_differences().find(p.name);
  if (c.agree()) {
    EXPECT_EQ(known, known_differences().end())
        << "listed as a difference, but both now " << (c.nicsim_accepted ? "accept" : "refuse")
        << ": update the list and docs/kernel-oracle.md";
    return;
  }
  ASSERT_NE(known, known_differences().end())
      << "new difference (" << ebpf::program_type_name(c.program_type) << "): nicsim "
      << (c.nicsim_accepted ? "accepts" : "refuses: " + c.nicsim_error) << "; kernel "
      << verdict_name(c.kernel_verdict) << ": " << c.kernel_first_error;
  EXPECT_EQ(c.nicsim_accepted, known->second.nicsim_accepts);
  EXPECT_EQ(c.comparable(), known->second.why != Why::NotComparable) << c.kernel_first_error;
  EXPECT_NE(c.kernel_first_error.find(known->second.kernel_words), std::string::npos)
      << c.kernel_first_error;
}

INSTANTIATE_TEST_SUITE_P(Programs, KernelComparisonCorpus, ::testing::ValuesIn(programs()),
                         [](const auto& info) { return info.param.name; });

class KernelComparisonApi : public ::testing::Test {
 protected:
  void SetUp() override { NICSIM_SKIP_WITHOUT_KERNEL(); }
};

ebpf::ElfObject xdp(const std::string& source) {
  return ebpf::make_single_program_object(ebpf::assemble(source), ebpf::ProgramType::Xdp);
}

TEST_F(KernelComparisonApi, BothAcceptASafeProgram) {
  const ebpf::ElfObject object = xdp("r0 = 2\nexit");
  const KernelComparison c = compare_verdict(object, object.programs[0]);
  EXPECT_TRUE(c.agree());
  EXPECT_TRUE(c.nicsim_accepted);
  EXPECT_EQ(c.kernel_verdict, KernelVerdict::Accepted);
  EXPECT_EQ(c.program_type, ebpf::ProgramType::Xdp);
  EXPECT_EQ(c.nicsim_instructions_processed, 2U);
  EXPECT_EQ(c.kernel.verified_insns, 2U);
}

TEST_F(KernelComparisonApi, BothRefuseAnUncheckedPacketReadInTheSameWords) {
  const ebpf::ElfObject object = xdp("r2 = *(u32 *)(r1 + 0)\nr0 = *(u32 *)(r2 + 0)\nexit");
  const KernelComparison c = compare_verdict(object, object.programs[0]);
  EXPECT_TRUE(c.agree());
  EXPECT_FALSE(c.nicsim_accepted);
  EXPECT_EQ(c.kernel_verdict, KernelVerdict::Rejected);
  EXPECT_EQ(c.kernel_first_error, "invalid access to packet, off=0 size=4, R2(id=0,off=0,r=0)");
  EXPECT_NE(c.nicsim_error.find(c.kernel_first_error), std::string::npos) << c.nicsim_error;
  EXPECT_EQ(c.to_string(),
            "nicsim: refused: " + c.nicsim_error +
                "\nkernel: rejected (direct, xdp): invalid access to packet, off=0 size=4, "
                "R2(id=0,off=0,r=0)");
}

TEST_F(KernelComparisonApi, UninitialisedStackIsWhereThePoliciesPart) {
  // A privileged kernel lets a program read stack it never wrote; nicsim does not.
  const ebpf::ElfObject object = xdp("r0 = *(u64 *)(r10 - 8)\nr0 = 2\nexit");
  const KernelComparison c = compare_verdict(object, object.programs[0]);
  EXPECT_TRUE(c.comparable());
  EXPECT_FALSE(c.agree());
  EXPECT_FALSE(c.nicsim_accepted);
  EXPECT_EQ(c.kernel_verdict, KernelVerdict::Accepted);
  EXPECT_EQ(c.kernel_first_error, "");
}

}  // namespace
}  // namespace nicsim::kernel_oracle
