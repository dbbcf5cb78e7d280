// The ebpf-samples corpus: every program expectations_prevail_2025-04.tsv lists (and the
// object holds locally) is verified; programs marked safe must be accepted, the unsafe ones
// refused with a message naming their fault. One test case per object and section.

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "ebpf/elf/elf_loader.h"
#include "verifier/verifier.h"

namespace nicsim::verifier {
namespace {

const std::string kSamples = std::string(NICSIM_TESTDATA_DIR) + "/ebpf-samples";

struct CorpusCase {
  std::string project;
  std::string object;
  std::string section;
  std::string function;
  std::string meaning;
  std::string name;
};

void PrintTo(const CorpusCase& c, std::ostream* os) {
  *os << c.name;
}

std::vector<CorpusCase> read_cases() {
  std::vector<CorpusCase> cases;
  std::ifstream in(kSamples + "/expectations_prevail_2025-04.tsv");
  std::string line;
  std::getline(in, line);  // header
  std::map<std::string, int> seen;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::stringstream ss(line);
    std::string field;
    while (std::getline(ss, field, '\t'))
      fields.push_back(field);
    if (fields.size() < 7 || fields[6] != "True") continue;
    CorpusCase c{fields[0], fields[1], fields[2], fields[3], fields[5], ""};
    std::string name =
        c.project + "_" + c.object + "_" + c.section + (c.function.empty() ? "" : "_" + c.function);
    for (char& ch : name) {
      if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
    }
    if (seen[name]++ > 0) name += fmt::format("_{}", seen[name]);
    c.name = name;
    cases.push_back(c);
  }
  return cases;
}

// Objects are shared by their sections' cases.
const ebpf::ElfObject& load(const std::string& path) {
  static std::map<std::string, std::unique_ptr<ebpf::ElfObject>> cache;
  auto& slot = cache[path];
  if (!slot) slot = std::make_unique<ebpf::ElfObject>(ebpf::load_elf_file(path));
  return *slot;
}

// The fault each unsafe program must be refused for.
const std::map<std::string, std::string>& unsafe_faults() {
  static const std::map<std::string, std::string> faults = {
      {"badhelpercall.o", "invalid indirect access to stack R1 off=-1 size=20"},
      {"exposeptr.o", "holds a spilled ctx pointer, which would leak"},
      {"exposeptr2.o", "holds a spilled ctx pointer, which would leak"},
      {"nullmapref.o", "R0 invalid mem access 'map_value_or_null'"},
      {"packet_overflow.o", "invalid access to packet, off=0 size=4"},
      // Socket filters cannot read skb->data at all (the kernel's first objection); the
      // reallocation fault itself is checked as a tc program below.
      {"packet_reallocate.o", "invalid bpf_context access off=80 size=4"},
      {"tail_call_bad.o", "cannot pass map_type 2 into func bpf_tail_call#12"},
      {"ringbuf_uninit.o", "invalid indirect read from stack R2 off -8+0 size 8"},
      {"ctxoffset.o", "dereference of modified ctx ptr R1 off=8 disallowed"},
      {"mapvalue-overrun.o", "invalid access to map value, value_size=4 off=0 size=8"},
  };
  return faults;
}

// Programs the expectations list as safe that nicsim refuses as the kernel does, with the
// kernel's reason. bpf2bpf.o: add1(int *x) is a global function (BTF linkage global), so it
// is verified on its own with x possibly NULL, and dereferences it unchecked.
const std::map<std::string, std::string>& kernel_refusals() {
  static const std::map<std::string, std::string> refusals = {
      {"bpf2bpf.o", "R1 invalid mem access 'mem_or_null'"},
  };
  return refusals;
}

class Corpus : public ::testing::TestWithParam<CorpusCase> {};

const ebpf::Program* find_program(const ebpf::ElfObject& object, const CorpusCase& c) {
  for (const ebpf::Program& p : object.programs) {
    if (p.section == c.section && (c.function.empty() || p.function == c.function)) return &p;
  }
  return nullptr;
}

TEST_P(Corpus, Verdict) {
  const CorpusCase& c = GetParam();
  const std::string path = kSamples + "/" + c.project + "/" + c.object;
  if (c.meaning == "elf-load-error") {
    bool failed = false;
    try {
      const ebpf::ElfObject& object = load(path);
      failed = find_program(object, c) == nullptr;
    } catch (const Error&) {
      failed = true;
    }
    EXPECT_TRUE(failed) << "expected the object or section to be refused as malformed";
    return;
  }
  const ebpf::ElfObject* object = nullptr;
  try {
    object = &load(path);
  } catch (const Error& e) {
    if (c.meaning == "unmarshal-error") return;  // malformed instructions refused at load
    FAIL() << "cannot load " << path << ": " << e.what();
  }
  const ebpf::Program* program = find_program(*object, c);
  ASSERT_NE(program, nullptr) << "no program " << c.section << "/" << c.function;
  const VerificationResult result = verify(*object, *program);
  const std::string message = result.accepted ? "" : result.error->to_string();
  RecordProperty("instructions_processed", std::to_string(result.stats.instructions_processed));
  const auto kernel_refusal = kernel_refusals().find(c.object);
  if (kernel_refusal != kernel_refusals().end()) {
    EXPECT_THAT(message, ::testing::HasSubstr(kernel_refusal->second));
  } else if (c.meaning.starts_with("accept") || c.meaning.starts_with("reject-if-strict")) {
    EXPECT_TRUE(result.accepted) << message;
  } else if (c.meaning == "reject(unsafe)") {
    ASSERT_FALSE(result.accepted);
    const auto fault = unsafe_faults().find(c.object);
    ASSERT_NE(fault, unsafe_faults().end()) << "no expected fault recorded for " << c.object;
    EXPECT_THAT(message, ::testing::HasSubstr(fault->second));
    // The refusal names the source line from BTF line info.
    ASSERT_TRUE(result.error->source.has_value()) << message;
    EXPECT_THAT(result.error->source->file, ::testing::HasSubstr(".c"));
    EXPECT_GT(result.error->source->line, 0U);
  } else {
    // unmarshal-error / analysis-error: a malformed program is refused.
    EXPECT_FALSE(result.accepted) << "expected a refusal";
  }
}

INSTANTIATE_TEST_SUITE_P(Samples, Corpus, ::testing::ValuesIn(read_cases()),
                         [](const auto& info) { return info.param.name; });

TEST(CorpusFaults, PacketReallocationInvalidatesPointers) {
  // As a tc program (which may read skb->data), packet_reallocate's fault is the use of a
  // packet pointer after bpf_skb_change_head moved the packet.
  const ebpf::ElfObject& object = load(kSamples + "/build/packet_reallocate.o");
  VerifierOptions options;
  options.program_type = ebpf::ProgramType::SchedCls;
  const auto result = verify(object, object.programs.front(), options);
  ASSERT_FALSE(result.accepted);
  EXPECT_THAT(result.error->to_string(),
              ::testing::HasSubstr("insn 13: R7 invalid mem access 'scalar' (R7 was a packet "
                                   "pointer, invalidated by the helper call at insn 12)"));
}

}  // namespace
}  // namespace nicsim::verifier
