// All bpf_conformance programs: their "-- asm" sections must assemble to the encodings the
// suite's own assembler produced (tests_assembled.jsonl) and to the "-- raw" sections, and
// their disassembly in both syntaxes must assemble back to the same instructions.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "ebpf/asm/assembler.h"
#include "ebpf/asm/disassembler.h"
#include "ebpf/asm/test/test_support.h"

namespace nicsim::ebpf {
namespace {

namespace fs = std::filesystem;
using testing_support::bytes_from_hex;
using testing_support::insns_from_bytes;

const fs::path kSuiteDir = fs::path(NICSIM_TESTDATA_DIR) / "bpf-conformance";

std::vector<std::string> conformance_files() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(kSuiteDir / "tests", ec))
    if (entry.path().extension() == ".data") names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// name -> instructions, from the suite's reference assembly.
const std::map<std::string, std::vector<Instruction>>& reference_encodings() {
  static const auto table = [] {
    std::map<std::string, std::vector<Instruction>> t;
    std::istringstream in(
        testing_support::read_text_file((kSuiteDir / "tests_assembled.jsonl").string()));
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      const auto json = nlohmann::json::parse(line);
      std::string hex;
      for (const auto& insn : json.at("insns"))
        hex += insn.get<std::string>();
      t[json.at("name").get<std::string>()] = insns_from_bytes(bytes_from_hex(hex));
    }
    return t;
  }();
  return table;
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param.substr(0, info.param.rfind('.'));
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

::testing::AssertionResult same_program(const std::vector<Instruction>& actual,
                                        const std::vector<Instruction>& expected) {
  if (actual.size() != expected.size())
    return ::testing::AssertionFailure()
           << actual.size() << " instructions, expected " << expected.size();
  for (size_t i = 0; i < actual.size(); ++i) {
    if (actual[i] != expected[i])
      return ::testing::AssertionFailure()
             << std::hex << "insn " << std::dec << i << ": 0x" << std::hex << actual[i].raw()
             << ", expected 0x" << expected[i].raw();
  }
  return ::testing::AssertionSuccess();
}

TEST(ConformanceSuite, HasEveryTestFileAndItsReferenceEncoding) {
  const auto files = conformance_files();
  EXPECT_EQ(files.size(), 313u) << "test data in " << kSuiteDir;
  for (const auto& name : files)
    EXPECT_TRUE(reference_encodings().contains(name)) << name;
}

class ConformanceProgram : public ::testing::TestWithParam<std::string> {
 protected:
  testing_support::ConformanceFile file() const {
    return testing_support::parse_conformance_file((kSuiteDir / "tests" / GetParam()).string());
  }
  const std::vector<Instruction>& reference() const { return reference_encodings().at(GetParam()); }
};

TEST_P(ConformanceProgram, AssemblesToTheReferenceEncoding) {
  const auto source = file();
  const auto insns = assemble(source.asm_text, AsmSyntax::Conformance);
  EXPECT_TRUE(same_program(insns, reference()));
  EXPECT_TRUE(same_program(assemble(source.asm_text, AsmSyntax::Auto), reference()));
  if (source.has_raw) {
    std::vector<Instruction> raw;
    for (uint64_t v : source.raw)
      raw.push_back(Instruction::from_raw(v));
    EXPECT_TRUE(same_program(insns, raw)) << "against the -- raw section";
  }
}

TEST_P(ConformanceProgram, DisassemblyRoundTripsInBothSyntaxes) {
  const auto& insns = reference();
  for (AsmSyntax syntax : {AsmSyntax::Conformance, AsmSyntax::PseudoC}) {
    const std::string text = disassemble(insns, {.syntax = syntax});
    SCOPED_TRACE(text);
    EXPECT_EQ(text.find(".raw"), std::string::npos) << "every instruction has a mnemonic";
    EXPECT_TRUE(same_program(assemble(text, syntax), insns));
    EXPECT_TRUE(same_program(assemble(text, AsmSyntax::Auto), insns));
    const std::string listing =
        disassemble(insns, {.syntax = syntax, .show_index = true, .show_raw = true});
    EXPECT_TRUE(same_program(assemble(listing, syntax), insns)) << listing;
  }
}

INSTANTIATE_TEST_SUITE_P(BpfConformance, ConformanceProgram,
                         ::testing::ValuesIn(conformance_files()), test_name);

}  // namespace
}  // namespace nicsim::ebpf
